"""Kuiper portable plugin SDK for Python: one file, standard library only.

A portable plugin is a program that Kuiper starts and talks to over its
standard input and output, one JSON object per line (protocol version 1,
see docs/extensions/portable-protocol.md). Subclass Source, Sink and
Function, then call serve():

    import kuiper_plugin as kp

    class Revert(kp.Function):
        def exec(self, args, ctx):
            return args[0][::-1]

    kp.serve("mine", "1.0.0", functions={"revert": Revert()})

Copy this file next to your plugin's script (and into its zip).
"""

import json
import logging
import sys
import threading

PROTOCOL_VERSION = 1
MAX_LINE_BYTES = 16 << 20

__all__ = ["Context", "Source", "Sink", "Function", "serve", "PROTOCOL_VERSION"]


class Context:
    """What an instance or a call can see: ids, a logger, in-memory state
    and, for sources, a done event set when the instance is closed."""

    def __init__(self, rule_id="", op_id="", instance_id=0, logger=None):
        self.rule_id = rule_id
        self.op_id = op_id
        self.instance_id = instance_id
        self.logger = logger or logging.getLogger("plugin")
        self.done = threading.Event()
        self._state = {}
        self._lock = threading.Lock()

    def is_done(self):
        return self.done.is_set()

    def put_state(self, key, value):
        with self._lock:
            self._state[key] = value

    def get_state(self, key):
        with self._lock:
            return self._state.get(key)

    def delete_state(self, key):
        with self._lock:
            self._state.pop(key, None)


class Source:
    """A source. open() runs in its own thread until ctx.done is set and
    calls emit(message_dict, meta_dict_or_None) for every message."""

    def configure(self, datasource, props):
        pass

    def open(self, ctx, emit):
        raise NotImplementedError

    def close(self, ctx):
        pass


class Sink:
    """A sink. collect() receives a row (dict) or a list of rows; raising
    an exception reports a failure that the rule counts."""

    def configure(self, props):
        pass

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        raise NotImplementedError

    def close(self, ctx):
        pass


class Function:
    """A SQL function. exec() returns the result or raises. An aggregate
    function receives, per argument, the list of the group's values."""

    def validate(self, args):
        pass

    def exec(self, args, ctx):
        raise NotImplementedError

    def is_aggregate(self):
        return False


class _Instance:
    def __init__(self, obj, ctx, kind):
        self.obj = obj
        self.ctx = ctx
        self.kind = kind
        self.thread = None


class _Server:
    def __init__(self, name, version, sources, sinks, functions, rfile, wfile):
        self.name = name
        self.version = version
        self.sources = sources or {}
        self.sinks = sinks or {}
        self.functions = functions or {}
        self.rfile = rfile
        self.wfile = wfile
        self.wlock = threading.Lock()
        self.instances = {}
        self.lock = threading.Lock()
        self.log = logging.getLogger(name)

    def send(self, msg):
        line = json.dumps(msg, separators=(",", ":"), default=str) + "\n"
        with self.wlock:
            self.wfile.write(line.encode("utf-8"))
            self.wfile.flush()

    def run(self):
        first = True
        while True:
            line = self.rfile.readline(MAX_LINE_BYTES + 1)
            if not line:
                break
            if len(line) > MAX_LINE_BYTES:
                raise ValueError("frame longer than %d bytes" % MAX_LINE_BYTES)
            msg = json.loads(line)
            typ = msg.get("type")
            if first:
                first = False
                if typ != "hello":
                    raise ValueError("expected a hello frame first, got %r" % typ)
                if not self.hello(msg):
                    return
                continue
            if typ == "shutdown":
                break
            self.handle(msg)
        self.close_all()

    def hello(self, msg):
        if PROTOCOL_VERSION not in (msg.get("versions") or []):
            self.send({"type": "hello", "error": "the plugin speaks protocol %d" % PROTOCOL_VERSION})
            return False
        funcs = []
        for n, f in sorted(self.functions.items()):
            info = {"name": n}
            if f.is_aggregate():
                info["aggregate"] = True
            funcs.append(info)
        self.send({
            "type": "hello", "version": PROTOCOL_VERSION, "name": self.name, "plugin": self.version,
            "sources": sorted(self.sources), "sinks": sorted(self.sinks), "functions": funcs,
        })
        return True

    def ack(self, msg, err=None):
        out = {"type": "ack", "id": msg.get("id", 0)}
        if err is not None:
            out["error"] = str(err) or err.__class__.__name__
        self.send(out)

    def handle(self, msg):
        typ = msg.get("type")
        try:
            if typ == "ping":
                self.ack(msg)
            elif typ == "open":
                self.open(msg)
                self.ack(msg)
            elif typ == "close":
                self.close(msg.get("instance"))
                self.ack(msg)
            elif typ == "collect":
                with self.lock:
                    inst = self.instances.get(msg.get("instance"))
                if inst is None or inst.kind != "sink":
                    raise KeyError("no sink instance %s" % msg.get("instance"))
                inst.obj.collect(inst.ctx, msg.get("data"))
                self.ack(msg)
            elif typ == "validate":
                f = self.functions[msg["symbol"]]
                args = (msg.get("args") or [[]])[0]
                f.validate(args)
                self.ack(msg)
            elif typ == "call":
                self.call(msg)
            elif msg.get("id"):
                raise ValueError("unknown frame type %r" % typ)
        except Exception as e:  # reported to the host, the plugin keeps running
            if typ == "call":
                n = len(msg.get("args") or [])
                self.send({"type": "result", "id": msg.get("id", 0), "results": [None] * n, "errors": [str(e)] * n})
            elif msg.get("id"):
                self.ack(msg, e)

    def call(self, msg):
        f = self.functions.get(msg.get("symbol"))
        calls = msg.get("args") or []
        results, errors = [], []
        ctx = Context(msg.get("rule", ""), msg.get("op", ""), 0, self.log)
        for args in calls:
            try:
                if f is None:
                    raise KeyError("no function %s" % msg.get("symbol"))
                results.append(f.exec(args, ctx))
                errors.append("")
            except Exception as e:
                results.append(None)
                errors.append(str(e) or e.__class__.__name__)
        out = {"type": "result", "id": msg.get("id", 0), "results": results}
        if any(errors):
            out["errors"] = errors
        self.send(out)

    def open(self, msg):
        iid = msg["id"]
        kind = msg.get("kind")
        symbol = msg.get("symbol")
        ctx = Context(msg.get("rule", ""), msg.get("op", ""), iid, self.log)
        props = msg.get("props") or {}
        if kind == "source":
            obj = self.sources[symbol]()
            obj.configure(msg.get("datasource", ""), props)
            inst = _Instance(obj, ctx, kind)

            def emit(message, meta=None):
                if not ctx.is_done():
                    out = {"type": "data", "instance": iid, "data": message}
                    if meta:
                        out["meta"] = meta
                    self.send(out)

            def run():
                try:
                    obj.open(ctx, emit)
                except Exception:
                    self.log.exception("source %s failed", symbol)

            inst.thread = threading.Thread(target=run, daemon=True)
            with self.lock:
                self.instances[iid] = inst
            inst.thread.start()
        elif kind == "sink":
            obj = self.sinks[symbol]()
            obj.configure(props)
            obj.open(ctx)
            with self.lock:
                self.instances[iid] = _Instance(obj, ctx, kind)
        else:
            raise ValueError("unknown instance kind %r" % kind)

    def close(self, iid):
        with self.lock:
            inst = self.instances.pop(iid, None)
        if inst is None:
            return
        inst.ctx.done.set()
        inst.obj.close(inst.ctx)
        if inst.thread is not None:
            inst.thread.join(5)

    def close_all(self):
        with self.lock:
            ids = list(self.instances)
        for iid in ids:
            try:
                self.close(iid)
            except Exception:
                self.log.exception("close instance %s", iid)


def serve(name, version="", sources=None, sinks=None, functions=None, rfile=None, wfile=None):
    """Run the plugin until the host closes its input or sends shutdown.

    sources and sinks map names to classes (or any callable returning an
    instance); functions map names to Function instances. Logs go to
    standard error, which Kuiper re-logs with a plugin attribute; so does
    print(), since standard output carries the protocol."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="level=%(levelname)s msg=%(message)s")
    if wfile is None:
        # Standard output carries the protocol: send print() to stderr.
        wfile = sys.stdout.buffer
        sys.stdout = sys.stderr
    _Server(name, version, sources, sinks, functions,
            rfile or sys.stdin.buffer, wfile).run()
