package function

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
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
// document $ refers to inside filters.
func (p *jpPath) eval(cur, root value.Value) []value.Value {
	nodes := []value.Value{cur}
	var next []value.Value
	for i := range p.segs {
		s := &p.segs[i]
		next = next[:0]
		for _, n := range nodes {
			if s.descent {
				next = s.selectDescent(next, n, root)
			} else {
				next = s.selectFrom(next, n, root)
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
// before children, object fields in their order.
func (s *jpSeg) selectDescent(out []value.Value, v, root value.Value) []value.Value {
	out = s.selectFrom(out, v, root)
	switch v.Kind() {
	case value.Array:
		for _, e := range v.Array() {
			out = s.selectDescent(out, e, root)
		}
	case value.Obj:
		for _, e := range v.Object().Vals {
			if !e.IsMissing() {
				out = s.selectDescent(out, e, root)
			}
		}
	}
	return out
}

// selectFrom appends what s selects directly from v.
func (s *jpSeg) selectFrom(out []value.Value, v, root value.Value) []value.Value {
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
			out = append(out, v.Array()...)
		case value.Obj:
			for _, e := range v.Object().Vals {
				if !e.IsMissing() {
					out = append(out, e)
				}
			}
		}
	case jpSlice:
		if v.Kind() == value.Array {
			out = s.selectSlice(out, v.Array())
		}
	case jpUnion:
		for i := range s.union {
			out = s.union[i].selectFrom(out, v, root)
		}
	case jpFilter:
		switch v.Kind() {
		case value.Array:
			for _, e := range v.Array() {
				if truthy(s.filter.eval(e, root)) {
					out = append(out, e)
				}
			}
		case value.Obj:
			for _, e := range v.Object().Vals {
				if !e.IsMissing() && truthy(s.filter.eval(e, root)) {
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// selectSlice appends a[start:end:step], Python style: negative bounds
// count from the end, a negative step walks backwards.
func (s *jpSeg) selectSlice(out []value.Value, a []value.Value) []value.Value {
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
			i += n
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
		for i := start; i < end; i += step {
			out = append(out, a[i])
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
	for i := start; i > end; i += step {
		out = append(out, a[i])
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

// jpExpr is a node of a filter expression.
type jpExpr interface {
	eval(cur, root value.Value) jpOperand
}

type (
	jpLiteral struct{ v value.Value }
	jpPathRef struct {
		root bool // $ rather than @
		path *jpPath
	}
	jpRegexp struct{ re *regexp.Regexp }
	jpList   struct{ items []jpExpr }
	jpNot    struct{ x jpExpr }
	jpLength struct{ x jpExpr }
	jpBinary struct {
		op   string
		l, r jpExpr
	}
)

func (e jpLiteral) eval(_, _ value.Value) jpOperand { return jpOperand{v: e.v} }

func (e jpPathRef) eval(cur, root value.Value) jpOperand {
	from := cur
	if e.root {
		from = root
	}
	if e.path.definite() {
		m := e.path.eval(from, root)
		if len(m) == 0 {
			return jpOperand{}
		}
		return jpOperand{v: m[0]}
	}
	return jpOperand{vals: e.path.eval(from, root), many: true}
}

func (e jpRegexp) eval(_, _ value.Value) jpOperand { return jpOperand{} }

func (e jpList) eval(cur, root value.Value) jpOperand {
	a := make([]value.Value, len(e.items))
	for i, it := range e.items {
		a[i] = single(it.eval(cur, root))
	}
	return jpOperand{v: value.ArrayValue(a)}
}

func (e jpNot) eval(cur, root value.Value) jpOperand {
	return jpOperand{v: value.BoolValue(!truthy(e.x.eval(cur, root)))}
}

func (e jpLength) eval(cur, root value.Value) jpOperand {
	v := single(e.x.eval(cur, root))
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

func (e jpBinary) eval(cur, root value.Value) jpOperand {
	switch e.op {
	case "&&":
		return jpOperand{v: value.BoolValue(truthy(e.l.eval(cur, root)) && truthy(e.r.eval(cur, root)))}
	case "||":
		return jpOperand{v: value.BoolValue(truthy(e.l.eval(cur, root)) || truthy(e.r.eval(cur, root)))}
	case "=~":
		re, ok := e.r.(jpRegexp)
		l := e.l.eval(cur, root)
		if !ok { // a pattern in a string, compiled for each use
			p := single(e.r.eval(cur, root))
			if p.Kind() != value.String {
				return jpOperand{v: value.BoolValue(false)}
			}
			r, err := regexp.Compile(p.Str())
			if err != nil {
				return jpOperand{v: value.BoolValue(false)}
			}
			re.re = r
		}
		return jpOperand{v: value.BoolValue(l.each(func(v value.Value) bool {
			return v.Kind() == value.String && re.re.MatchString(v.Str())
		}))}
	case "in":
		l, r := e.l.eval(cur, root), single(e.r.eval(cur, root))
		if r.Kind() != value.Array {
			return jpOperand{v: value.BoolValue(false)}
		}
		return jpOperand{v: value.BoolValue(l.each(func(v value.Value) bool {
			for _, x := range r.Array() {
				if jpEqual(v, x) {
					return true
				}
			}
			return false
		}))}
	case "+", "-", "*", "/":
		return jpOperand{v: jpArith(e.op, single(e.l.eval(cur, root)), single(e.r.eval(cur, root)))}
	}
	l, r := e.l.eval(cur, root), e.r.eval(cur, root)
	if e.op == "!=" {
		return jpOperand{v: value.BoolValue(!jpCompare("==", l, r))}
	}
	return jpOperand{v: value.BoolValue(jpCompare(e.op, l, r))}
}

// jpCompare is true when some value of l and some value of r compare as
// op says. Numbers compare with numbers, strings with strings; == also
// compares booleans, nulls, arrays and objects.
func jpCompare(op string, l, r jpOperand) bool {
	return l.each(func(a value.Value) bool {
		return r.each(func(b value.Value) bool {
			if op == "==" {
				return jpEqual(a, b)
			}
			if !(a.IsNumber() && b.IsNumber()) && !(a.Kind() == value.String && b.Kind() == value.String) {
				return false
			}
			c, err := value.Compare(a, b)
			if err != nil {
				return false
			}
			switch op {
			case "<":
				return c < 0
			case "<=":
				return c <= 0
			case ">":
				return c > 0
			case ">=":
				return c >= 0
			}
			return false
		})
	})
}

// jpEqual is value equality where null equals null and nothing equals a
// missing value.
func jpEqual(a, b value.Value) bool {
	if a.Kind() == value.Null || b.Kind() == value.Null {
		return a.Kind() == b.Kind()
	}
	return value.Equal(a, b)
}

// jpArith does + - * / on numbers (bigint stays bigint except for /);
// anything else, or a division by zero, is missing.
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
			return value.IntValue(x + y)
		case "-":
			return value.IntValue(x - y)
		default:
			return value.IntValue(x * y)
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

// parseJSONPath compiles src.
func parseJSONPath(src string) (*jpPath, error) {
	p := &jpParser{src: src}
	p.skipSpace()
	path, err := p.path(false)
	if err == nil {
		p.skipSpace()
		if p.pos < len(p.src) {
			err = p.errorf("unexpected %q", p.src[p.pos:])
		}
	}
	if err != nil {
		return nil, err
	}
	return path, nil
}

type jpParser struct {
	src string
	pos int
}

func (p *jpParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s at offset %d", fmt.Sprintf(format, args...), p.pos)
}

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
	case c == '$' || c == '@':
		p.pos++
	case !inFilter && isNameByte(c):
		path.segs = append(path.segs, jpSeg{kind: jpName, name: p.name()})
	case c == 0:
		return nil, p.errorf("empty path")
	default:
		return nil, p.errorf("a path starts with $ or @, not %q", c)
	}
	for p.pos < len(p.src) {
		var seg jpSeg
		switch p.src[p.pos] {
		case '.':
			p.pos++
			if p.peek() == '.' {
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
			case c == '*':
				p.pos++
				seg.kind = jpWild
			case isNameByte(c):
				seg.kind, seg.name = jpName, p.name()
			default:
				if c == 0 {
					return nil, p.errorf("path ends after '.'")
				}
				return nil, p.errorf("unexpected %q after '.'", c)
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
			s, err := p.selector()
			if err != nil {
				return seg, err
			}
			sels = append(sels, s)
			p.skipSpace()
			if p.peek() != ',' {
				break
			}
			p.pos++
		}
		if len(sels) == 1 {
			seg = sels[0]
		} else {
			for _, s := range sels {
				if s.kind == jpSlice {
					return seg, p.errorf("a slice cannot be part of a union")
				}
			}
			seg.kind, seg.union = jpUnion, sels
		}
	}
	p.skipSpace()
	if p.peek() != ']' {
		if p.pos >= len(p.src) {
			return seg, p.errorf("missing ']'")
		}
		return seg, p.errorf("expected ']', found %q", p.src[p.pos])
	}
	p.pos++
	return seg, nil
}

// selector parses a quoted name, an index or a slice inside brackets.
func (p *jpParser) selector() (jpSeg, error) {
	switch c := p.peek(); {
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
			if p.peek() != ':' || part == 2 {
				if part == 0 {
					if !seg.sliceSet[0] {
						return seg, p.errorf("expected an index")
					}
					return jpSeg{kind: jpIndex, index: seg.slice[0]}, nil
				}
				break
			}
			p.pos++
		}
		seg.kind = jpSlice
		return seg, nil
	case c == 0:
		return jpSeg{}, p.errorf("missing ']'")
	default:
		return jpSeg{}, p.errorf("unexpected %q in brackets", c)
	}
}

func (p *jpParser) integer() (int, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil {
		p.pos = start
		return 0, p.errorf("bad index %q", p.src[start:p.pos])
	}
	return n, nil
}

// quoted parses a string in single or double quotes; a backslash escapes
// the next character (\n, \t, \r, \uXXXX have their JSON meaning).
func (p *jpParser) quoted() (string, error) {
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
				if p.pos+4 > len(p.src) {
					return "", p.errorf("bad \\u escape")
				}
				r, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
				if err != nil {
					return "", p.errorf("bad \\u escape")
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
	return "", p.errorf("unterminated string")
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
		var r jpExpr
		if op == "=~" && p.peek() == '/' {
			r, err = p.regexp()
		} else {
			r, err = p.binary(level + 1)
		}
		if err != nil {
			return nil, err
		}
		l = jpBinary{op: op, l: l, r: r}
		if level == 2 { // comparisons do not chain
			return l, nil
		}
	}
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
	p.skipSpace()
	switch c := p.peek(); {
	case c == '!' && !strings.HasPrefix(p.src[p.pos:], "!="):
		p.pos++
		x, err := p.unary()
		return jpNot{x}, err
	case c == '(':
		p.pos++
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errorf("missing ')'")
		}
		p.pos++
		return x, nil
	case c == '@' || c == '$':
		path, err := p.path(true)
		if err != nil {
			return nil, err
		}
		return jpPathRef{root: c == '$', path: path}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		return jpLiteral{value.StringValue(s)}, err
	case c == '-' || c == '.' || c >= '0' && c <= '9':
		return p.number()
	case c == '[':
		return p.list()
	case c == '/':
		return p.regexp()
	case c == 0:
		return nil, p.errorf("expression ends early")
	}
	word := p.name()
	switch word {
	case "true", "false":
		return jpLiteral{value.BoolValue(word == "true")}, nil
	case "null":
		return jpLiteral{value.NullValue()}, nil
	case "length":
		p.skipSpace()
		if p.peek() == '(' {
			p.pos++
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.peek() != ')' {
				return nil, p.errorf("missing ')'")
			}
			p.pos++
			return jpLength{x}, nil
		}
	}
	if word == "" {
		return nil, p.errorf("unexpected %q in filter", p.src[p.pos])
	}
	return nil, p.errorf("unknown word %q in filter", word)
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
		p.pos = start
		return nil, p.errorf("bad number %q", s)
	}
	return jpLiteral{value.FloatValue(f)}, nil
}

func (p *jpParser) list() (jpExpr, error) {
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
		if p.peek() != ',' {
			break
		}
		p.pos++
	}
	if p.peek() != ']' {
		return nil, p.errorf("missing ']' after list")
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
				p.pos = start
				return nil, p.errorf("bad regular expression: %v", err)
			}
			return jpRegexp{re}, nil
		case c == '\\' && p.pos < len(p.src) && p.src[p.pos] == '/':
			b.WriteByte('/')
			p.pos++
		default:
			b.WriteByte(c)
		}
	}
	p.pos = start
	return nil, p.errorf("unterminated regular expression")
}
