SELECT l.id AS id, r.w AS w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4);
SELECT * FROM l LEFT JOIN r ON l.id = r.id RIGHT JOIN q ON l.id = q.id FULL JOIN z ON l.id = z.id;
SELECT l.v AS v, r.w AS w FROM l CROSS JOIN r GROUP BY COUNTWINDOW(4);
SELECT a.x FROM s AS a INNER JOIN t b ON a.id = b.id;
SELECT * FROM topic/sensor1 AS t LEFT JOIN `my-table` ON t.id = `my-table`.id;
