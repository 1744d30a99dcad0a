"""Example portable plugin in Python (standard library only).

It provides the source pycounter ({"n": 1}, {"n": 2}... every interval
milliseconds), the sink pyfile (appends rows to props["path"] as JSON
lines) and the functions revert(s) (the string reversed) and pyavg(x) (an
aggregate: the average of the group).

Install it by hand: copy this file, pysample.json and
sdk/python/kuiper_plugin.py into plugins/portable/pysample/; or zip those
three files and POST the zip to /plugins/portables.
"""

import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuiper_plugin as kp  # noqa: E402


class Counter(kp.Source):
    def configure(self, datasource, props):
        self.interval = props.get("interval", 1000) / 1000.0
        self.limit = props.get("limit", 0)

    def open(self, ctx, emit):
        ctx.logger.info("pycounter started")
        n = 0
        while not ctx.done.wait(self.interval):
            n += 1
            emit({"n": n, "src": "python"})
            if self.limit and n >= self.limit:
                return


class FileSink(kp.Sink):
    def configure(self, props):
        if not props.get("path"):
            raise ValueError("property path is required")
        self.path = props["path"]
        self.lock = threading.Lock()

    def open(self, ctx):
        self.f = open(self.path, "a")

    def collect(self, ctx, data):
        rows = data if isinstance(data, list) else [data]
        with self.lock:
            for r in rows:
                self.f.write(json.dumps(r, sort_keys=True) + "\n")
            self.f.flush()

    def close(self, ctx):
        self.f.close()


class Revert(kp.Function):
    def validate(self, args):
        if len(args) != 1:
            raise ValueError("revert expects 1 argument, got %d" % len(args))

    def exec(self, args, ctx):
        if not isinstance(args[0], str):
            raise TypeError("revert expects a string, got %r" % (args[0],))
        return args[0][::-1]


class Avg(kp.Function):
    def exec(self, args, ctx):
        vals = [v for v in args[0] if isinstance(v, (int, float))]
        return sum(vals) / len(vals) if vals else None

    def is_aggregate(self):
        return True


if __name__ == "__main__":
    kp.serve("pysample", "1.0.0",
             sources={"pycounter": Counter},
             sinks={"pyfile": FileSink},
             functions={"revert": Revert(), "pyavg": Avg()})
