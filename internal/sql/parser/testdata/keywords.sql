SELECT ms, stream, string, table, with, dd, float, null FROM s;
SELECT a AS mi, b AS ss, c AS streams, d AS `select` FROM s AS tables;
SELECT Select_1, fromage, a.`end`, a->`from`, a.stream FROM stream;
select a from s where a aNd b or NOT c group by tumblingwindow(Ss, 1) order by a desc limit 1;
