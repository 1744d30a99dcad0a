SELECT k, lag(v) OVER (PARTITION BY k) AS prev, lag(v, 2, 0) AS p2 FROM s;
SELECT acc_sum(v) OVER (PARTITION BY k, j WHEN v > 0) AS s1 FROM s;
SELECT had_changed(true, status) OVER (WHEN a > 1) AS hc FROM s;
SELECT avg(a) FILTER (WHERE a > 1) AS fa FROM s GROUP BY COUNTWINDOW(5);
SELECT row_number() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM s GROUP BY COUNTWINDOW(5);
