SELECT dev->name AS n, dev->loc->room AS r, ops->functionA.numArgs AS na FROM s;
SELECT arr[0] AS first, arr[-1] AS last, arr[i + 1] AS y FROM s;
SELECT arr[1:3] AS mid, arr[:2] AS head, arr[2:] AS tail, arr[:] AS all_, arr[x + 1:y] AS e FROM s;
SELECT followers->Group1[:1]->first AS f, items[1]->name AS n, parse_json(txt)->a AS p FROM s;
SELECT meta(topic) AS t, meta(src.device) AS d, meta(src.reading.device.name) AS dn, meta(*) AS m FROM s;
