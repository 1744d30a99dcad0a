SELECT * FROM demo;
SELECT a, b AS bb, 1 AS one FROM s WHERE a > 1;
SELECT * EXCEPT(b, c) REPLACE(a * 10 AS a) FROM s;
SELECT s.*, s.a FROM s AS x;
SELECT a AS x INVISIBLE, x + 1 AS y FROM s;
SELECT k, sum(v) AS sv FROM s GROUP BY k ORDER BY sv DESC, k LIMIT 5;
SELECT id FROM s WHERE color NOT IN ("red", "blue") AND t NOT BETWEEN 10 AND 20 OR name LIKE 'a%';
