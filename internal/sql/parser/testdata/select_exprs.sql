SELECT -1 AS n, -2.5 AS m, a * -1 AS x, 0 - a AS z, -a, -(a + b), +a FROM s;
SELECT 1e20 AS big, 2.5e-3 AS small, .5 AS half, "str" AS s1, 'single' AS s2, true AS t, FALSE AS f FROM s;
SELECT a + b * c AS x, (a + b) * c AS y, a - b - c AS z, a & b | c ^ d AS w FROM s;
SELECT a = b, a != b, a <> b, a < b, a <= b, a > b, a >= b FROM s;
SELECT a FROM s WHERE NOT (a > 1 AND a < 3) OR NOT b = c;
SELECT CASE WHEN a > 0 THEN CASE WHEN b > 0 THEN "pp" ELSE "pn" END ELSE "n" END AS q FROM s;
SELECT color, CASE color WHEN "red" THEN 1 WHEN "green" THEN 2 ELSE 0 END AS code FROM s;
SELECT a IN arr, a IN (1, 2, 3), a BETWEEN lo + 1 AND hi * 2 FROM s;
SELECT `a-b` AS x, `my field` AS y, `温度` AS z, "a\nb\t\"q\"" AS esc FROM s;
