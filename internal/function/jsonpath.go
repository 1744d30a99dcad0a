package function

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/kuiperio/kuiper/internal/value"
)

// A JSONPath (Goessner's syntax) compiled for evaluation over values.
//
//	path      $ or @, then segments: .name .* ..name ..* ..[…] […]
//	brackets  ['name'] ["name"] [0] [-1] [*] [start:end:step]
//	          unions [0,2] ['a','b'], filters [?(expr)] and [? expr]
//
// A filter keeps the array elements (or object values) for which expr is
// true. expr compares and combines operands: numbers, 'strings' or
// "strings", true, false, null, lists [1, 2], regular expressions /re/,
// paths from @ (the element) or $ (the document), length(x), with
// == != < <= > >= =~ in, + - * /, ! && || and parentheses. A path that
// matches several values compares true when any of them does. An operand
// on its own is true when it is the boolean true, or present, not null and
// not a boolean.
//
// Paths are bounded: parsing fails past jpMaxDepth levels of nesting, and
// an evaluation fails (rather than running on) past jpMaxSteps steps or
// jpMaxMatches values selected by one segment.

// jpPath is a compiled path: the segments applied in turn, each to all
// the values the previous one selected.
type jpPath struct {
	segs []jpSeg
}

type jpSegKind uint8

const (
	jpName   jpSegKind = iota // .name, ['name']
	jpIndex                   // [3], [-1]
	jpWild                    // .*, [*]
	jpSlice                   // [start:end:step]
	jpUnion                   // [sel, sel, ...] of names and indexes
	jpFilter                  // [?(expr)]
)

// jpSeg selects from one value; with descent (..) it selects from the
// value and from every value nested in it.
type jpSeg struct {
	kind     jpSegKind
	descent  bool
	name     string
	index    int
	slice    [3]int  // start, end, step
	sliceSet [3]bool // which of start, end, step were given
	union    []jpSeg
	filter   jpExpr
}

// Limits that keep a hostile path or document from exhausting the stack,
// the CPU or memory.
const (
	// jpMaxDepth bounds the nesting of brackets, parentheses, lists, !
	// and filters inside filters while parsing.
	jpMaxDepth = 64
	// jpMaxSteps bounds the work of one evaluation: values visited and
	// selected, filter operands evaluated and compared. A full descent
	// through a document costs about two steps per nested value, so this
	// leaves room for documents of a million values.
	jpMaxSteps = 1 << 22
	// jpMaxMatches bounds the values one segment of a path may select
	// (each takes 48 bytes while the path runs).
	jpMaxMatches = 1 << 20
)

// errJPTooCostly is the error of an evaluation that ran out of steps.
var errJPTooCostly = fmt.Errorf("JSONPath evaluation needs more than %d steps; simplify the path (fewer '..', unions or filters over $)", jpMaxSteps)

// errJPTooMany is the error of a path that selects too many values.
var errJPTooMany = fmt.Errorf("JSONPath selects more than %d values; narrow the path", jpMaxMatches)

// jpEval is the state of one evaluation: the document $ refers to and
// the steps spent so far.
type jpEval struct {
	root       value.Value
	steps      int
	err        error
	maxSteps   int // jpMaxSteps but in tests
	maxMatches int // jpMaxMatches but in tests
}

// charge spends n steps and reports whether the budget still holds. Once
// it fails, every later charge fails too and the evaluation unwinds.
func (c *jpEval) charge(n int) bool {
	if c.err != nil {
		return false
	}
	c.steps += n
	if c.steps > c.maxSteps {
		c.err = errJPTooCostly
		return false
	}
	return true
}

// definite reports whether the path names one place (names and indexes,
// no descent), and so selects at most one value.
func (p *jpPath) definite() bool {
	for _, s := range p.segs {
		if s.descent || (s.kind != jpName && s.kind != jpIndex) {
			return false
		}
	}
	return true
}

// eval returns the values the path selects from cur, with root as the
// document $ refers to inside filters. It fails only when the evaluation
// would cost more than jpMaxSteps.
func (p *jpPath) eval(cur, root value.Value) ([]value.Value, error) {
	return p.evalWithin(cur, root, jpMaxSteps, jpMaxMatches)
}

// evalWithin is eval with other limits: the fuzz tests lower them to
// spend their time on many inputs rather than on a few costly ones.
func (p *jpPath) evalWithin(cur, root value.Value, maxSteps, maxMatches int) ([]value.Value, error) {
	c := &jpEval{root: root, maxSteps: maxSteps, maxMatches: maxMatches}
	out := p.run(c, cur)
	if c.err != nil {
		return nil, c.err
	}
	return out, nil
}

// run applies the segments of p to cur.
func (p *jpPath) run(c *jpEval, cur value.Value) []value.Value {
	nodes := []value.Value{cur}
	var next []value.Value
	for i := range p.segs {
		s := &p.segs[i]
		next = next[:0]
		for _, n := range nodes {
			if s.descent {
				next = s.selectDescent(c, next, n)
			} else {
				next = s.selectFrom(c, next, n)
			}
			if c.err != nil {
				return nil
			}
			if len(next) > c.maxMatches {
				c.err = errJPTooMany
				return nil
			}
		}
		nodes, next = next, nodes
		if len(nodes) == 0 {
			break
		}
	}
	return nodes
}

// selectDescent applies s to v and to everything nested in v, parents
// before children, object fields in their order. It walks with its own
// stack, so deep documents do not deepen the goroutine's.
func (s *jpSeg) selectDescent(c *jpEval, out []value.Value, v value.Value) []value.Value {
	stack := []value.Value{v}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !c.charge(1) {
			return out
		}
		out = s.selectFrom(c, out, v)
		switch v.Kind() {
		case value.Array:
			a := v.Array()
			for i := len(a) - 1; i >= 0; i-- {
				stack = append(stack, a[i])
			}
		case value.Obj:
			vals := v.Object().Vals
			for i := len(vals) - 1; i >= 0; i-- {
				if !vals[i].IsMissing() {
					stack = append(stack, vals[i])
				}
			}
		}
	}
	return out
}

// selectFrom appends what s selects directly from v.
func (s *jpSeg) selectFrom(c *jpEval, out []value.Value, v value.Value) []value.Value {
	if !c.charge(1) {
		return out
	}
	switch s.kind {
	case jpName:
		if v.Kind() == value.Obj {
			if e := v.Object().Get(s.name); !e.IsMissing() {
				out = append(out, e)
			}
		}
	case jpIndex:
		if v.Kind() == value.Array {
			a := v.Array()
			i := s.index
			if i < 0 {
				i += len(a)
			}
			if i >= 0 && i < len(a) {
				out = append(out, a[i])
			}
		}
	case jpWild:
		switch v.Kind() {
		case value.Array:
			if c.charge(len(v.Array())) {
				out = append(out, v.Array()...)
			}
		case value.Obj:
			for _, e := range v.Object().Vals {
				if !e.IsMissing() && c.charge(1) {
					out = append(out, e)
				}
			}
		}
	case jpSlice:
		if v.Kind() == value.Array {
			out = s.selectSlice(c, out, v.Array())
		}
	case jpUnion:
		for i := range s.union {
			out = s.union[i].selectFrom(c, out, v)
		}
	case jpFilter:
		switch v.Kind() {
		case value.Array:
			for _, e := range v.Array() {
				if truthy(s.filter.eval(c, e)) && c.charge(1) {
					out = append(out, e)
				}
				if c.err != nil {
					return out
				}
			}
		case value.Obj:
			for _, e := range v.Object().Vals {
				if !e.IsMissing() && truthy(s.filter.eval(c, e)) && c.charge(1) {
					out = append(out, e)
				}
				if c.err != nil {
					return out
				}
			}
		}
	}
	return out
}

// selectSlice appends a[start:end:step], Python style: negative bounds
// count from the end, a negative step walks backwards, a zero step
// selects nothing. Steps of any size are safe: the walk stops before an
// index would pass the end, so it never overflows.
func (s *jpSeg) selectSlice(c *jpEval, out []value.Value, a []value.Value) []value.Value {
	n := len(a)
	step := 1
	if s.sliceSet[2] {
		step = s.slice[2]
	}
	if step == 0 {
		return out
	}
	bound := func(i, lo, hi int) int {
		if i < 0 {
			i += n // i >= math.MinInt, so no overflow
		}
		return min(max(i, lo), hi)
	}
	if step > 0 {
		start, end := 0, n
		if s.sliceSet[0] {
			start = bound(s.slice[0], 0, n)
		}
		if s.sliceSet[1] {
			end = bound(s.slice[1], 0, n)
		}
		for i := start; i < end && c.charge(1); {
			out = append(out, a[i])
			if step >= end-i {
				break
			}
			i += step
		}
		return out
	}
	start, end := n-1, -1
	if s.sliceSet[0] {
		start = bound(s.slice[0], -1, n-1)
	}
	if s.sliceSet[1] {
		end = bound(s.slice[1], -1, n-1)
	}
	for i := start; i > end && c.charge(1); {
		out = append(out, a[i])
		if step <= end-i { // i+step <= end, without overflow: end-i >= -n
			break
		}
		i += step
	}
	return out
}

// truthy is the filter's notion of true: the boolean true, or any value
// that is present, not null and not a boolean.
func truthy(o jpOperand) bool {
	if o.many {
		for _, v := range o.vals {
			if truthy(jpOperand{v: v}) {
				return true
			}
		}
		return false
	}
	switch o.v.Kind() {
	case value.Missing, value.Null:
		return false
	case value.Bool:
		return o.v.Bool()
	}
	return true
}

// jpOperand is the value of a filter expression: one value (Missing when
// a path matched nothing) or, for a path that can match several, all of
// its matches.
type jpOperand struct {
	v    value.Value
	vals []value.Value
	many bool
}

// each calls f with every value of o until f returns true.
func (o jpOperand) each(f func(value.Value) bool) bool {
	if !o.many {
		return f(o.v)
	}
	for _, v := range o.vals {
		if f(v) {
			return true
		}
	}
	return false
}

// jpExpr is a node of a filter expression, evaluated with cur as @.
type jpExpr interface {
	eval(c *jpEval, cur value.Value) jpOperand
}

type (
	jpLiteral struct{ v value.Value }
	jpPathRef struct {
		root     bool // $ rather than @
		definite bool // the path selects at most one value
		path     *jpPath
	}
	jpRegexp struct{ re *regexp.Regexp }
	jpList   struct{ items []jpExpr }
	jpNot    struct{ x jpExpr }
	jpLength struct{ x jpExpr }
	jpBinary struct {
		op   string
		l, r jpExpr
	}
	// jpMatch is l =~ r. A /regexp/ or a 'string' pattern is compiled
	// once, when the path is parsed; a pattern computed from the document
	// is compiled when it changes.
	jpMatch struct {
		l, r jpExpr
		re   *regexp.Regexp // a constant pattern
		last atomic.Pointer[jpCompiled]
	}
)

// jpCompiled is the last pattern a jpMatch compiled and its result (nil
// for a pattern that does not compile).
type jpCompiled struct {
	src string
	re  *regexp.Regexp
}

func (e jpLiteral) eval(_ *jpEval, _ value.Value) jpOperand { return jpOperand{v: e.v} }

func (e jpPathRef) eval(c *jpEval, cur value.Value) jpOperand {
	if !c.charge(1) {
		return jpOperand{}
	}
	from := cur
	if e.root {
		from = c.root
	}
	m := e.path.run(c, from)
	if e.definite {
		if len(m) == 0 {
			return jpOperand{}
		}
		return jpOperand{v: m[0]}
	}
	return jpOperand{vals: m, many: true}
}

func (e jpRegexp) eval(_ *jpEval, _ value.Value) jpOperand { return jpOperand{} }

func (e jpList) eval(c *jpEval, cur value.Value) jpOperand {
	if !c.charge(len(e.items)) {
		return jpOperand{}
	}
	a := make([]value.Value, len(e.items))
	for i, it := range e.items {
		a[i] = single(it.eval(c, cur))
	}
	return jpOperand{v: value.ArrayValue(a)}
}

func (e jpNot) eval(c *jpEval, cur value.Value) jpOperand {
	return jpOperand{v: value.BoolValue(!truthy(e.x.eval(c, cur)))}
}

func (e jpLength) eval(c *jpEval, cur value.Value) jpOperand {
	v := single(e.x.eval(c, cur))
	switch v.Kind() {
	case value.String:
		return jpOperand{v: value.IntValue(int64(utf8.RuneCountInString(v.Str())))}
	case value.Array:
		return jpOperand{v: value.IntValue(int64(len(v.Array())))}
	case value.Obj:
		return jpOperand{v: value.IntValue(int64(v.Object().Len()))}
	}
	return jpOperand{}
}

// single is the value of o as one value: a multi-valued path as the
// array of its matches.
func single(o jpOperand) value.Value {
	if o.many {
		return value.ArrayValue(o.vals)
	}
	return o.v
}

func (e *jpMatch) eval(c *jpEval, cur value.Value) jpOperand {
	l := e.l.eval(c, cur)
	re := e.re
	if re == nil {
		p := single(e.r.eval(c, cur))
		if p.Kind() != value.String {
			return jpOperand{v: value.BoolValue(false)}
		}
		last := e.last.Load()
		if last == nil || last.src != p.Str() {
			if !c.charge(len(p.Str())) {
				return jpOperand{}
			}
			r, err := regexp.Compile(p.Str())
			if err != nil {
				r = nil
			}
			last = &jpCompiled{src: p.Str(), re: r}
			e.last.Store(last)
		}
		if re = last.re; re == nil {
			return jpOperand{v: value.BoolValue(false)}
		}
	}
	return jpOperand{v: value.BoolValue(l.each(func(v value.Value) bool {
		return c.charge(1) && v.Kind() == value.String && re.MatchString(v.Str())
	}))}
}

func (e jpBinary) eval(c *jpEval, cur value.Value) jpOperand {
	if !c.charge(1) {
		return jpOperand{}
	}
	switch e.op {
	case "&&":
		return jpOperand{v: value.BoolValue(truthy(e.l.eval(c, cur)) && truthy(e.r.eval(c, cur)))}
	case "||":
		return jpOperand{v: value.BoolValue(truthy(e.l.eval(c, cur)) || truthy(e.r.eval(c, cur)))}
	case "in":
		l, r := e.l.eval(c, cur), single(e.r.eval(c, cur))
		if r.Kind() != value.Array {
			return jpOperand{v: value.BoolValue(false)}
		}
		return jpOperand{v: value.BoolValue(l.each(func(v value.Value) bool {
			for _, x := range r.Array() {
				if c.equal(v, x) {
					return true
				}
			}
			return false
		}))}
	case "+", "-", "*", "/":
		return jpOperand{v: jpArith(e.op, single(e.l.eval(c, cur)), single(e.r.eval(c, cur)))}
	}
	l, r := e.l.eval(c, cur), e.r.eval(c, cur)
	if e.op == "!=" {
		return jpOperand{v: value.BoolValue(!c.compare("==", l, r))}
	}
	return jpOperand{v: value.BoolValue(c.compare(e.op, l, r))}
}

// compare is true when some value of l and some value of r compare as
// op says. Numbers compare with numbers, strings with strings; == also
// compares booleans, nulls, arrays and objects.
func (c *jpEval) compare(op string, l, r jpOperand) bool {
	return l.each(func(a value.Value) bool {
		return r.each(func(b value.Value) bool {
			if op == "==" {
				return c.equal(a, b)
			}
			if !c.charge(1) {
				return false
			}
			if !(a.IsNumber() && b.IsNumber()) && !(a.Kind() == value.String && b.Kind() == value.String) {
				return false
			}
			n, err := value.Compare(a, b)
			if err != nil {
				return false
			}
			switch op {
			case "<":
				return n < 0
			case "<=":
				return n <= 0
			case ">":
				return n > 0
			case ">=":
				return n >= 0
			}
			return false
		})
	})
}

// equal is value equality where null equals null and nothing equals a
// missing value. Arrays and objects compare as value.Equal does, element
// by element and by their set of fields, paying a step for each.
func (c *jpEval) equal(a, b value.Value) bool {
	if !c.charge(1) {
		return false
	}
	if a.Kind() == value.Null || b.Kind() == value.Null {
		return a.Kind() == b.Kind()
	}
	switch a.Kind() {
	case value.Array:
		if b.Kind() != value.Array {
			return false
		}
		x, y := a.Array(), b.Array()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !c.equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case value.Obj:
		if b.Kind() != value.Obj {
			return false
		}
		x, y := a.Object(), b.Object()
		n := 0
		for i, k := range x.Keys {
			v := x.Vals[i]
			if v.IsMissing() {
				continue
			}
			n++
			if !c.charge(y.Len()) { // the linear lookup
				return false
			}
			w := y.Get(k)
			if w.IsMissing() || !c.equal(v, w) {
				return false
			}
		}
		m := 0
		for _, v := range y.Vals {
			if !v.IsMissing() {
				m++
			}
		}
		return n == m
	}
	return value.Equal(a, b)
}

// jpArith does + - * / on numbers: bigint stays bigint unless the result
// overflows, which then is a float, as is every quotient. Strings
// concatenate with +. Anything else, or a division by zero, is missing.
func jpArith(op string, a, b value.Value) value.Value {
	if !a.IsNumber() || !b.IsNumber() {
		if op == "+" && a.Kind() == value.String && b.Kind() == value.String {
			return value.StringValue(a.Str() + b.Str())
		}
		return value.Value{}
	}
	if a.Kind() == value.Int && b.Kind() == value.Int && op != "/" {
		x, y := a.Int(), b.Int()
		switch op {
		case "+":
			if s := x + y; (s > x) == (y > 0) {
				return value.IntValue(s)
			}
		case "-":
			if d := x - y; (d < x) == (y > 0) {
				return value.IntValue(d)
			}
		default:
			if hi, lo := bits.Mul64(uint64(absInt64(x)), uint64(absInt64(y))); hi == 0 && lo <= math.MaxInt64 {
				if (x < 0) != (y < 0) {
					return value.IntValue(-int64(lo))
				}
				return value.IntValue(int64(lo))
			}
		}
	}
	x, y := a.Num(), b.Num()
	switch op {
	case "+":
		return value.FloatValue(x + y)
	case "-":
		return value.FloatValue(x - y)
	case "*":
		return value.FloatValue(x * y)
	}
	if y == 0 {
		return value.Value{}
	}
	return value.FloatValue(x / y)
}

// absInt64 is |x| as an unsigned magnitude (math.MinInt64 included).
func absInt64(x int64) uint64 {
	if x < 0 {
		return uint64(-(x + 1)) + 1
	}
	return uint64(x)
}

// parseJSONPath compiles src. Errors say what was expected, what was
// found and at which byte offset of src.
func parseJSONPath(src string) (*jpPath, error) {
	p := &jpParser{src: src}
	p.skipSpace()
	path, err := p.path(false)
	if err == nil {
		p.skipSpace()
		if !p.atEnd() {
			err = p.errorf("expected '.', '..' or '[' to continue the path, found %s", p.found())
		}
	}
	if err != nil {
		return nil, err
	}
	return path, nil
}

type jpParser struct {
	src   string
	pos   int
	depth int // nesting of brackets, parentheses, lists and !
}

func (p *jpParser) errorf(format string, args ...any) error {
	return p.errorAt(p.pos, format, args...)
}

func (p *jpParser) errorAt(pos int, format string, args ...any) error {
	return fmt.Errorf("%s at offset %d", fmt.Sprintf(format, args...), pos)
}

// found describes what is at p.pos for an error: "end of path" or the
// character there, quoted.
func (p *jpParser) found() string {
	if p.atEnd() {
		return "end of path"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

// enter counts one more level of nesting and fails past jpMaxDepth;
// leave undoes it.
func (p *jpParser) enter() error {
	p.depth++
	if p.depth > jpMaxDepth {
		return p.errorf("path nests brackets, parentheses or filters more than %d deep", jpMaxDepth)
	}
	return nil
}

func (p *jpParser) leave() { p.depth-- }

func (p *jpParser) atEnd() bool { return p.pos >= len(p.src) }

func (p *jpParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *jpParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

// path parses $ or @ (or, at the top, a leading name) and the segments
// after it. In a filter (inFilter), the path ends at the first character
// that cannot continue it.
func (p *jpParser) path(inFilter bool) (*jpPath, error) {
	path := &jpPath{}
	switch c := p.peek(); {
	case p.atEnd():
		return nil, p.errorf("empty path: expected $ or @")
	case c == '$' || c == '@':
		p.pos++
	case !inFilter && isNameByte(c):
		path.segs = append(path.segs, jpSeg{kind: jpName, name: p.name()})
	default:
		return nil, p.errorf("expected $ or @ to start the path, found %s", p.found())
	}
	for !p.atEnd() {
		var seg jpSeg
		switch p.src[p.pos] {
		case '.':
			p.pos++
			if p.peek() == '.' && !p.atEnd() {
				p.pos++
				seg.descent = true
				if p.peek() == '[' {
					s, err := p.bracket()
					if err != nil {
						return nil, err
					}
					s.descent = true
					path.segs = append(path.segs, s)
					continue
				}
			}
			switch c := p.peek(); {
			case p.atEnd():
				return nil, p.errorf("expected a name or * after '.', found end of path")
			case c == '*':
				p.pos++
				seg.kind = jpWild
			case isNameByte(c):
				seg.kind, seg.name = jpName, p.name()
			default:
				return nil, p.errorf("expected a name or * after '.', found %s", p.found())
			}
		case '[':
			s, err := p.bracket()
			if err != nil {
				return nil, err
			}
			seg = s
		default:
			// the caller deals with what follows
			return path, nil
		}
		path.segs = append(path.segs, seg)
	}
	return path, nil
}

// isNameByte reports whether c may be part of a name after a dot: not a
// character with a meaning in paths or filter expressions.
func isNameByte(c byte) bool {
	if c >= 0x80 {
		return true
	}
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (p *jpParser) name() string {
	start := p.pos
	for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// bracket parses […] at p.pos.
func (p *jpParser) bracket() (jpSeg, error) {
	if err := p.enter(); err != nil {
		return jpSeg{}, err
	}
	defer p.leave()
	open := p.pos
	p.pos++ // '['
	p.skipSpace()
	var seg jpSeg
	switch p.peek() {
	case '*':
		p.pos++
		seg.kind = jpWild
	case '?':
		p.pos++
		p.skipSpace()
		x, err := p.expr()
		if err != nil {
			return seg, err
		}
		seg.kind, seg.filter = jpFilter, x
	default:
		var sels []jpSeg
		for {
			p.skipSpace()
			at := p.pos
			s, err := p.selector()
			if err != nil {
				return seg, err
			}
			p.skipSpace()
			if s.kind == jpSlice && (len(sels) > 0 || p.peek() == ',') {
				return seg, p.errorAt(at, "a slice cannot be part of a union")
			}
			sels = append(sels, s)
			if p.peek() != ',' || p.atEnd() {
				break
			}
			p.pos++
		}
		if len(sels) == 1 {
			seg = sels[0]
		} else {
			seg.kind, seg.union = jpUnion, sels
		}
	}
	p.skipSpace()
	if p.peek() != ']' || p.atEnd() {
		return seg, p.errorf("expected ']' to close the '[' at offset %d, found %s", open, p.found())
	}
	p.pos++
	return seg, nil
}

// selector parses a quoted name, an index or a slice inside brackets.
func (p *jpParser) selector() (jpSeg, error) {
	switch c := p.peek(); {
	case p.atEnd():
		return jpSeg{}, p.errorf("expected a name, an index, a slice, * or a filter in brackets, found end of path")
	case c == '\'' || c == '"':
		s, err := p.quoted()
		return jpSeg{kind: jpName, name: s}, err
	case c == '-' || c == ':' || c >= '0' && c <= '9':
		var seg jpSeg
		for part := 0; part < 3; part++ {
			p.skipSpace()
			if c := p.peek(); c == '-' || c >= '0' && c <= '9' {
				n, err := p.integer()
				if err != nil {
					return seg, err
				}
				seg.slice[part], seg.sliceSet[part] = n, true
			}
			p.skipSpace()
			if p.peek() != ':' || p.atEnd() || part == 2 {
				if part == 0 {
					return jpSeg{kind: jpIndex, index: seg.slice[0]}, nil
				}
				break
			}
			p.pos++
		}
		seg.kind = jpSlice
		return seg, nil
	default:
		return jpSeg{}, p.errorf("expected a name, an index, a slice, * or a filter in brackets, found %s", p.found())
	}
}

// integer parses an index or slice bound: an optional '-' and digits that
// fit an int.
func (p *jpParser) integer() (int, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	s := p.src[start:p.pos]
	n, err := strconv.Atoi(s)
	if err != nil {
		if s == "-" {
			return 0, p.errorf("expected digits after '-', found %s", p.found())
		}
		return 0, p.errorAt(start, "index %s is out of range", s)
	}
	return n, nil
}

// quoted parses a string in single or double quotes; a backslash escapes
// the next character (\n, \t, \r, \uXXXX have their JSON meaning).
func (p *jpParser) quoted() (string, error) {
	open := p.pos
	q := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		p.pos++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\' && p.pos < len(p.src):
			e := p.src[p.pos]
			p.pos++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'u':
				at := p.pos - 2
				if p.pos+4 > len(p.src) {
					return "", p.errorAt(at, `expected four hex digits after \u`)
				}
				r, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
				if err != nil {
					return "", p.errorAt(at, `expected four hex digits after \u, found %q`, p.src[p.pos:p.pos+4])
				}
				p.pos += 4
				b.WriteRune(rune(r))
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorAt(open, "unterminated string: expected a closing %c", q)
}

// Filter expressions, lowest precedence first: ||, &&, comparisons,
// + -, * /, then ! and operands.

func (p *jpParser) expr() (jpExpr, error) {
	return p.binary(0)
}

var jpLevels = [][]string{
	{"||"},
	{"&&"},
	{"==", "!=", "<=", ">=", "=~", "<", ">", "in"},
	{"+", "-"},
	{"*", "/"},
}

func (p *jpParser) binary(level int) (jpExpr, error) {
	if level == len(jpLevels) {
		return p.unary()
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		op := p.operator(jpLevels[level])
		if op == "" {
			return l, nil
		}
		p.skipSpace()
		if op == "=~" {
			return p.match(l, level)
		}
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = jpBinary{op: op, l: l, r: r}
		if level == 2 { // comparisons do not chain
			return l, nil
		}
	}
}

// match parses the pattern of l =~ …: a /regexp/, a 'string' (both
// compiled now) or an operand computed from the document.
func (p *jpParser) match(l jpExpr, level int) (jpExpr, error) {
	at := p.pos
	var r jpExpr
	var err error
	if p.peek() == '/' {
		r, err = p.regexp()
	} else {
		r, err = p.binary(level + 1)
	}
	if err != nil {
		return nil, err
	}
	m := &jpMatch{l: l, r: r}
	switch x := r.(type) {
	case jpRegexp:
		m.re = x.re
	case jpLiteral:
		if x.v.Kind() != value.String {
			return nil, p.errorAt(at, "expected a /regexp/ or a string after =~")
		}
		re, err := regexp.Compile(x.v.Str())
		if err != nil {
			return nil, p.errorAt(at, "bad regular expression: %v", err)
		}
		m.re = re
	}
	return m, nil
}

// operator consumes one of ops at p.pos; "in" only as a whole word.
func (p *jpParser) operator(ops []string) string {
	rest := p.src[p.pos:]
	for _, op := range ops {
		if !strings.HasPrefix(rest, op) {
			continue
		}
		if op == "in" && len(rest) > 2 && isNameByte(rest[2]) {
			continue
		}
		p.pos += len(op)
		return op
	}
	return ""
}

func (p *jpParser) unary() (jpExpr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.skipSpace()
	switch c := p.peek(); {
	case p.atEnd():
		return nil, p.errorf("expected an operand in the filter, found end of path")
	case c == '!' && !strings.HasPrefix(p.src[p.pos:], "!="):
		p.pos++
		x, err := p.unary()
		return jpNot{x}, err
	case c == '(':
		open := p.pos
		p.pos++
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return x, p.closeParen(open)
	case c == '@' || c == '$':
		path, err := p.path(true)
		if err != nil {
			return nil, err
		}
		return jpPathRef{root: c == '$', definite: path.definite(), path: path}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		return jpLiteral{value.StringValue(s)}, err
	case c == '-' || c == '.' || c >= '0' && c <= '9':
		return p.number()
	case c == '[':
		return p.list()
	case c == '/':
		return p.regexp()
	}
	at := p.pos
	word := p.name()
	switch word {
	case "":
		return nil, p.errorf("expected an operand in the filter, found %s", p.found())
	case "true", "false":
		return jpLiteral{value.BoolValue(word == "true")}, nil
	case "null":
		return jpLiteral{value.NullValue()}, nil
	case "length":
		p.skipSpace()
		if p.peek() == '(' && !p.atEnd() {
			open := p.pos
			p.pos++
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			return jpLength{x}, p.closeParen(open)
		}
		return nil, p.errorf("expected '(' after length, found %s", p.found())
	}
	return nil, p.errorAt(at, "unknown word %q in filter: expected a path, a number, a string, true, false, null or length(…)", word)
}

// closeParen consumes the ')' that closes the '(' at open.
func (p *jpParser) closeParen(open int) error {
	p.skipSpace()
	if p.peek() != ')' || p.atEnd() {
		return p.errorf("expected ')' to close the '(' at offset %d, found %s", open, p.found())
	}
	p.pos++
	return nil
}

func (p *jpParser) number() (jpExpr, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	isFloat := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == 'e' || c == 'E':
			isFloat = true
		case (c == '+' || c == '-') && (p.src[p.pos-1] == 'e' || p.src[p.pos-1] == 'E'):
		default:
			goto done
		}
		p.pos++
	}
done:
	s := p.src[start:p.pos]
	if !isFloat {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return jpLiteral{value.IntValue(n)}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, p.errorAt(start, "bad number %q", s)
	}
	return jpLiteral{value.FloatValue(f)}, nil
}

// list parses a literal list [a, b, …] in a filter.
func (p *jpParser) list() (jpExpr, error) {
	open := p.pos
	p.pos++ // '['
	var l jpList
	for {
		p.skipSpace()
		if p.peek() == ']' && len(l.items) == 0 {
			break
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, x)
		p.skipSpace()
		if p.peek() != ',' || p.atEnd() {
			break
		}
		p.pos++
	}
	if p.peek() != ']' || p.atEnd() {
		return nil, p.errorf("expected ',' or ']' to close the list at offset %d, found %s", open, p.found())
	}
	p.pos++
	return l, nil
}

// regexp parses /pattern/; a backslash keeps the next character (\/ is a
// slash in the pattern).
func (p *jpParser) regexp() (jpExpr, error) {
	start := p.pos
	p.pos++ // '/'
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		p.pos++
		switch {
		case c == '/':
			re, err := regexp.Compile(b.String())
			if err != nil {
				return nil, p.errorAt(start, "bad regular expression: %v", err)
			}
			return jpRegexp{re}, nil
		case c == '\\' && p.pos < len(p.src) && p.src[p.pos] == '/':
			b.WriteByte('/')
			p.pos++
		default:
			b.WriteByte(c)
		}
	}
	return nil, p.errorAt(start, "unterminated regular expression: expected a closing /")
}
