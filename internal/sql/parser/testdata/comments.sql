/* leading comment */
SELECT a, -- the a column
       b /* inline */ + 1 AS c
FROM s -- the stream
WHERE a > 1 /* multi
line */ ;
-- only a comment here
SELECT * FROM s/* no space */WHERE a;
