package expr

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/token"
	"github.com/kuiperio/kuiper/internal/value"
)

// Resolver answers the name questions the compiler asks. The planner
// implements it over the rule's sources and select list.
type Resolver interface {
	// IsSource reports whether name is a source (stream, table or alias in
	// FROM/JOIN), so "name.x" is a qualified column.
	IsSource(name string) bool
	// Column resolves a column. qualifier is "" or a source name. It
	// returns the source index, or an error such as an unknown field of a
	// typed stream.
	Column(qualifier, name string, pos token.Pos) (int, error)
	// Alias returns the alias slot of a select field visible here.
	Alias(name string) (int, bool)
}

// CompileError is an error found while compiling an expression.
type CompileError struct {
	Pos token.Pos
	Msg string
}

func (e *CompileError) Error() string {
	if e.Pos.IsValid() {
		return e.Msg + " at " + e.Pos.String()
	}
	return e.Msg
}

func errorf(pos token.Pos, format string, args ...any) error {
	return &CompileError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Compiler turns expressions into evaluators. One Compiler compiles all
// expressions of one rule instance and collects the stateful calls it
// finds.
type Compiler struct {
	Resolver Resolver
	Funcs    *function.Registry
	RuleID   string
	Now      func() time.Time
	// Location is the time zone of the function calls' Context
	// (basic.timezone); nil means UTC.
	Location *time.Location
	// Analytics are the analytic calls met so far, in evaluation order.
	Analytics []*Analytic
	// Aggregate, when set, compiles an aggregate call; without it an
	// aggregate is an error. It returns the evaluator reading the
	// aggregate's result.
	Aggregate func(c *Compiler, call *ast.Call, spec *function.Spec) (Eval, error)
	// NoAnalytic forbids analytic calls (e.g. inside aggregate arguments).
	NoAnalytic bool

	slots  int
	funcID int
	// refs collects the sources of the columns compiled while an
	// analytic call is being compiled (nil outside one).
	refs *[]int
}

// noteSource records that the expression being compiled reads source src.
func (c *Compiler) noteSource(src int) {
	if c.refs != nil && !slices.Contains(*c.refs, src) {
		*c.refs = append(*c.refs, src)
	}
}

// NewSlot reserves a Ctx.Slots index.
func (c *Compiler) NewSlot() int {
	c.slots++
	return c.slots - 1
}

// Slots returns how many slots the compiled evaluators use.
func (c *Compiler) Slots() int { return c.slots }

// Compile compiles e.
func (c *Compiler) Compile(e ast.Expr) (Eval, error) {
	switch n := e.(type) {
	case *ast.IntegerLit:
		return Const(value.IntValue(n.Value)), nil
	case *ast.NumberLit:
		return Const(value.FloatValue(n.Value)), nil
	case *ast.StringLit:
		return Const(value.StringValue(n.Value)), nil
	case *ast.BooleanLit:
		return Const(value.BoolValue(n.Value)), nil
	case *ast.ParenExpr:
		return c.Compile(n.X)
	case *ast.Ident:
		return c.ident(n)
	case *ast.MemberExpr:
		return c.member(n)
	case *ast.IndexExpr:
		return c.index(n)
	case *ast.SliceExpr:
		return c.slice(n)
	case *ast.UnaryExpr:
		return c.unary(n)
	case *ast.BinaryExpr:
		return c.binary(n)
	case *ast.CaseExpr:
		return c.caseExpr(n)
	case *ast.InExpr:
		return c.in(n)
	case *ast.BetweenExpr:
		return c.between(n)
	case *ast.LikeExpr:
		return c.like(n)
	case *ast.Call:
		return c.call(n)
	case *ast.Wildcard:
		return nil, errorf(n.Pos(), "* is only allowed in the select list and in count(*)")
	case *ast.TimeUnitLit:
		return nil, errorf(n.Pos(), "time unit %s is only allowed in window functions", n.Unit)
	case *ast.WindowExpr:
		return nil, errorf(n.Pos(), "window function %s is only allowed in GROUP BY", n.Type)
	}
	return nil, errorf(e.Pos(), "unsupported expression %s", e)
}

// IsConst reports whether e is a literal (possibly negated or in
// parentheses) and returns its value.
func IsConst(e ast.Expr) (value.Value, bool) {
	switch n := e.(type) {
	case *ast.IntegerLit:
		return value.IntValue(n.Value), true
	case *ast.NumberLit:
		return value.FloatValue(n.Value), true
	case *ast.StringLit:
		return value.StringValue(n.Value), true
	case *ast.BooleanLit:
		return value.BoolValue(n.Value), true
	case *ast.ParenExpr:
		return IsConst(n.X)
	case *ast.UnaryExpr:
		if n.Op == token.SUB {
			if v, ok := IsConst(n.X); ok && v.IsNumber() {
				r, err := value.Neg(v)
				return r, err == nil
			}
		}
	}
	return value.Value{}, false
}

func (c *Compiler) ident(n *ast.Ident) (Eval, error) {
	if slot, ok := c.Resolver.Alias(n.Name); ok {
		return func(ctx *Ctx) (value.Value, error) { return ctx.Aliases[slot], nil }, nil
	}
	src, err := c.Resolver.Column("", n.Name, n.NamePos)
	if err != nil {
		return nil, err
	}
	c.noteSource(src)
	return columnEval(src, n.Name), nil
}

// AnySource is the source index of an unqualified column that more than
// one schemaless source of a join may hold: the evaluator reads it from
// the first row that has it.
const AnySource = -1

func columnEval(src int, name string) Eval {
	hint := 0
	switch src {
	case 0:
		return func(ctx *Ctx) (value.Value, error) {
			r := ctx.Rows[0]
			if r == nil {
				return value.Value{}, nil
			}
			return r.Msg.GetHint(name, &hint), nil
		}
	case AnySource:
		return func(ctx *Ctx) (value.Value, error) {
			for _, r := range ctx.Rows {
				if r == nil {
					continue
				}
				if v := r.Msg.Get(name); !v.IsMissing() {
					return v, nil
				}
			}
			return value.Value{}, nil
		}
	}
	return func(ctx *Ctx) (value.Value, error) {
		r := ctx.Row(src)
		if r == nil {
			return value.Value{}, nil
		}
		return r.Msg.GetHint(name, &hint), nil
	}
}

// columnName is the name of a column reference.
func columnName(e ast.Expr) string {
	switch n := e.(type) {
	case *ast.Ident:
		return n.Name
	case *ast.MemberExpr:
		return n.Name
	}
	return ""
}

// IsColumnRef reports whether e is a plain (possibly qualified) column
// reference, whose null values projection keeps.
func IsColumnRef(e ast.Expr, r Resolver) bool {
	switch n := e.(type) {
	case *ast.Ident:
		_, alias := r.Alias(n.Name)
		return !alias
	case *ast.MemberExpr:
		if id, ok := n.X.(*ast.Ident); ok && !n.Arrow {
			_, alias := r.Alias(id.Name)
			return !alias && r.IsSource(id.Name)
		}
	}
	return false
}

func (c *Compiler) member(n *ast.MemberExpr) (Eval, error) {
	if id, ok := n.X.(*ast.Ident); ok && !n.Arrow {
		if _, alias := c.Resolver.Alias(id.Name); !alias && c.Resolver.IsSource(id.Name) {
			src, err := c.Resolver.Column(id.Name, n.Name, n.NamePos)
			if err != nil {
				return nil, err
			}
			c.noteSource(src)
			return columnEval(src, n.Name), nil
		}
	}
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	name := n.Name
	hint := 0
	return func(ctx *Ctx) (value.Value, error) {
		v, err := x(ctx)
		if err != nil {
			return v, err
		}
		if v.Kind() != value.Obj {
			return value.Value{}, nil
		}
		return v.Object().GetHint(name, &hint), nil
	}, nil
}

// intIndex converts an index value to int; integral floats are accepted
// because schemaless JSON numbers are floats.
func intIndex(v value.Value) (int, bool) {
	switch v.Kind() {
	case value.Int:
		return int(v.Int()), true
	case value.Float:
		f := v.Float()
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f), true
		}
	}
	return 0, false
}

func (c *Compiler) index(n *ast.IndexExpr) (Eval, error) {
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	idx, err := c.Compile(n.Index)
	if err != nil {
		return nil, err
	}
	return func(ctx *Ctx) (value.Value, error) {
		v, err := x(ctx)
		if err != nil || v.IsNil() {
			return value.Value{}, err
		}
		iv, err := idx(ctx)
		if err != nil {
			return iv, err
		}
		switch v.Kind() {
		case value.Array:
			if iv.IsNil() {
				return value.Value{}, nil
			}
			i, ok := intIndex(iv)
			if !ok {
				return value.Value{}, fmt.Errorf("array index must be an integer, got %s", iv)
			}
			a := v.Array()
			if i < 0 {
				i += len(a)
			}
			if i < 0 || i >= len(a) {
				return value.Value{}, fmt.Errorf("array index %d out of range [0, %d)", i, len(a))
			}
			return a[i], nil
		case value.Obj:
			if iv.Kind() == value.String {
				return v.Object().Get(iv.Str()), nil
			}
		}
		return value.Value{}, fmt.Errorf("cannot index %s", v)
	}, nil
}

func (c *Compiler) slice(n *ast.SliceExpr) (Eval, error) {
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	var lo, hi Eval
	if n.Low != nil {
		if lo, err = c.Compile(n.Low); err != nil {
			return nil, err
		}
	}
	if n.High != nil {
		if hi, err = c.Compile(n.High); err != nil {
			return nil, err
		}
	}
	// bound evaluates a slice bound; negative bounds count from the end.
	bound := func(ctx *Ctx, e Eval, def, length int) (int, error) {
		if e == nil {
			return def, nil
		}
		v, err := e(ctx)
		if err != nil {
			return 0, err
		}
		i, ok := intIndex(v)
		if !ok {
			return 0, fmt.Errorf("slice bound must be an integer, got %s", v)
		}
		if i < 0 {
			i += length
		}
		return i, nil
	}
	return func(ctx *Ctx) (value.Value, error) {
		v, err := x(ctx)
		if err != nil || v.IsNil() {
			return value.Value{}, err
		}
		var length int
		switch v.Kind() {
		case value.Array:
			length = len(v.Array())
		case value.String:
			length = len(v.Str())
		default:
			return value.Value{}, fmt.Errorf("cannot slice %s", v)
		}
		from, err := bound(ctx, lo, 0, length)
		if err != nil {
			return value.Value{}, err
		}
		to, err := bound(ctx, hi, length, length)
		if err != nil {
			return value.Value{}, err
		}
		if from < 0 || to > length || from > to {
			return value.Value{}, fmt.Errorf("slice [%d:%d] out of range for length %d", from, to, length)
		}
		if v.Kind() == value.String {
			return value.StringValue(v.Str()[from:to]), nil
		}
		return value.ArrayValue(v.Array()[from:to:to]), nil
	}, nil
}

func (c *Compiler) unary(n *ast.UnaryExpr) (Eval, error) {
	if v, ok := IsConst(n); ok {
		return Const(v), nil
	}
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case token.SUB:
		return func(ctx *Ctx) (value.Value, error) {
			v, err := x(ctx)
			if err != nil {
				return v, err
			}
			return value.Neg(v)
		}, nil
	case token.ADD:
		return func(ctx *Ctx) (value.Value, error) {
			v, err := x(ctx)
			if err != nil || v.IsNil() || v.IsNumber() {
				return v, err
			}
			return value.Value{}, fmt.Errorf("invalid operation +%s", v)
		}, nil
	case token.NOT:
		return func(ctx *Ctx) (value.Value, error) {
			v, err := x(ctx)
			if err != nil {
				return v, err
			}
			b, err := value.ToBool(v)
			if err != nil {
				return value.Value{}, err
			}
			return value.BoolValue(!b), nil
		}, nil
	}
	return nil, errorf(n.OpPos, "unsupported unary operator %s", n.Op)
}

var cmpOps = map[token.Token]value.Op{
	token.EQ: value.OpEq, token.NEQ: value.OpNe, token.LT: value.OpLt,
	token.LTE: value.OpLe, token.GT: value.OpGt, token.GTE: value.OpGe,
}

var arithOps = map[token.Token]func(a, b value.Value) (value.Value, error){
	token.ADD: value.Add, token.SUB: value.Sub, token.MUL: value.Mul, token.DIV: value.Div,
	token.MOD: value.Mod, token.BITAND: value.BitAnd, token.BITOR: value.BitOr, token.BITXOR: value.BitXor,
}

func (c *Compiler) binary(n *ast.BinaryExpr) (Eval, error) {
	l, err := c.Compile(n.LHS)
	if err != nil {
		return nil, err
	}
	r, err := c.Compile(n.RHS)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case token.AND, token.OR:
		isAnd := n.Op == token.AND
		return func(ctx *Ctx) (value.Value, error) {
			a, err := l(ctx)
			if err != nil {
				return a, err
			}
			ab, err := value.ToBool(a)
			if err != nil {
				return value.Value{}, err
			}
			if isAnd != ab { // false AND x, true OR x
				return value.BoolValue(ab), nil
			}
			b, err := r(ctx)
			if err != nil {
				return b, err
			}
			bb, err := value.ToBool(b)
			if err != nil {
				return value.Value{}, err
			}
			return value.BoolValue(bb), nil
		}, nil
	}
	if op, ok := cmpOps[n.Op]; ok {
		return func(ctx *Ctx) (value.Value, error) {
			a, err := l(ctx)
			if err != nil {
				return a, err
			}
			b, err := r(ctx)
			if err != nil {
				return b, err
			}
			res, err := value.CompareOp(op, a, b)
			if err != nil {
				return value.Value{}, err
			}
			return value.BoolValue(res), nil
		}, nil
	}
	if f, ok := arithOps[n.Op]; ok {
		return func(ctx *Ctx) (value.Value, error) {
			a, err := l(ctx)
			if err != nil {
				return a, err
			}
			b, err := r(ctx)
			if err != nil {
				return b, err
			}
			return f(a, b)
		}, nil
	}
	return nil, errorf(n.Pos(), "unsupported operator %s", n.Op)
}

func (c *Compiler) caseExpr(n *ast.CaseExpr) (Eval, error) {
	var subject Eval
	var err error
	if n.Value != nil {
		if subject, err = c.Compile(n.Value); err != nil {
			return nil, err
		}
	}
	conds := make([]Eval, len(n.Whens))
	results := make([]Eval, len(n.Whens))
	for i, w := range n.Whens {
		if conds[i], err = c.Compile(w.Cond); err != nil {
			return nil, err
		}
		if results[i], err = c.Compile(w.Result); err != nil {
			return nil, err
		}
	}
	var elseEval Eval
	if n.Else != nil {
		if elseEval, err = c.Compile(n.Else); err != nil {
			return nil, err
		}
	}
	return func(ctx *Ctx) (value.Value, error) {
		var sv value.Value
		if subject != nil {
			var err error
			if sv, err = subject(ctx); err != nil {
				return sv, err
			}
		}
		for i, cond := range conds {
			cv, err := cond(ctx)
			if err != nil {
				return cv, err
			}
			var hit bool
			if subject != nil {
				hit = value.Equal(sv, cv)
			} else if hit, err = value.ToBool(cv); err != nil {
				return value.Value{}, err
			}
			if hit {
				return results[i](ctx)
			}
		}
		if elseEval != nil {
			return elseEval(ctx)
		}
		return value.Value{}, nil
	}, nil
}

func (c *Compiler) in(n *ast.InExpr) (Eval, error) {
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	not := n.Not
	if n.Array != nil {
		arr, err := c.Compile(n.Array)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx) (value.Value, error) {
			v, err := x(ctx)
			if err != nil {
				return v, err
			}
			a, err := arr(ctx)
			if err != nil {
				return a, err
			}
			if v.IsNil() || a.IsNil() {
				return value.BoolValue(false), nil
			}
			if a.Kind() != value.Array {
				return value.Value{}, fmt.Errorf("IN expects an array, got %s", a)
			}
			for _, e := range a.Array() {
				if value.Equal(v, e) {
					return value.BoolValue(!not), nil
				}
			}
			return value.BoolValue(not), nil
		}, nil
	}
	list := make([]Eval, len(n.List))
	for i, e := range n.List {
		if list[i], err = c.Compile(e); err != nil {
			return nil, err
		}
	}
	return func(ctx *Ctx) (value.Value, error) {
		v, err := x(ctx)
		if err != nil {
			return v, err
		}
		if v.IsNil() {
			return value.BoolValue(false), nil
		}
		for _, e := range list {
			ev, err := e(ctx)
			if err != nil {
				return ev, err
			}
			if value.Equal(v, ev) {
				return value.BoolValue(!not), nil
			}
		}
		return value.BoolValue(not), nil
	}, nil
}

func (c *Compiler) between(n *ast.BetweenExpr) (Eval, error) {
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	lo, err := c.Compile(n.Low)
	if err != nil {
		return nil, err
	}
	hi, err := c.Compile(n.High)
	if err != nil {
		return nil, err
	}
	not := n.Not
	return func(ctx *Ctx) (value.Value, error) {
		v, err := x(ctx)
		if err != nil {
			return v, err
		}
		l, err := lo(ctx)
		if err != nil {
			return l, err
		}
		h, err := hi(ctx)
		if err != nil {
			return h, err
		}
		if v.IsNil() || l.IsNil() || h.IsNil() {
			return value.BoolValue(false), nil
		}
		ge, err := value.CompareOp(value.OpGe, v, l)
		if err != nil {
			return value.Value{}, err
		}
		le, err := value.CompareOp(value.OpLe, v, h)
		if err != nil {
			return value.Value{}, err
		}
		return value.BoolValue((ge && le) != not), nil
	}, nil
}

func (c *Compiler) like(n *ast.LikeExpr) (Eval, error) {
	x, err := c.Compile(n.X)
	if err != nil {
		return nil, err
	}
	not := n.Not
	if pv, ok := IsConst(n.Pattern); ok {
		if pv.Kind() != value.String {
			return nil, errorf(n.Pattern.Pos(), "LIKE pattern must be a string, got %s", pv)
		}
		m := compileLike(pv.Str())
		return func(ctx *Ctx) (value.Value, error) {
			v, err := x(ctx)
			if err != nil || v.IsNil() {
				return value.BoolValue(false), err
			}
			if v.Kind() != value.String {
				return value.Value{}, fmt.Errorf("LIKE expects a string, got %s", v)
			}
			return value.BoolValue(m.match(v.Str()) != not), nil
		}, nil
	}
	pat, err := c.Compile(n.Pattern)
	if err != nil {
		return nil, err
	}
	return func(ctx *Ctx) (value.Value, error) {
		v, err := x(ctx)
		if err != nil || v.IsNil() {
			return value.BoolValue(false), err
		}
		p, err := pat(ctx)
		if err != nil || p.IsNil() {
			return value.BoolValue(false), err
		}
		if v.Kind() != value.String || p.Kind() != value.String {
			return value.Value{}, fmt.Errorf("LIKE expects strings, got %s LIKE %s", v, p)
		}
		return value.BoolValue(compileLike(p.Str()).match(v.Str()) != not), nil
	}, nil
}

// ErrNotSupported marks SQL features this build cannot run yet.
var ErrNotSupported = errors.New("not supported yet")

func (c *Compiler) call(n *ast.Call) (Eval, error) {
	name := strings.ToLower(n.Name)
	if e, ok, err := c.special(name, n); ok || err != nil {
		return e, err
	}
	spec, ok := c.Funcs.Lookup(n.Name)
	if !ok {
		return nil, errorf(n.NamePos, "unknown function %s", n.Name)
	}
	if n.Filter != nil && spec.Kind != function.Aggregate {
		return nil, errorf(n.NamePos, "FILTER is only allowed on aggregate functions, not %s", n.Name)
	}
	if n.Over != nil && spec.Kind != function.Analytic {
		return nil, errorf(n.NamePos, "OVER is only allowed on analytic functions, not %s", n.Name)
	}
	switch spec.Kind {
	case function.Aggregate:
		if c.Aggregate == nil {
			return nil, errorf(n.NamePos, "aggregate function %s needs GROUP BY with a window (or a join with a table)", n.Name)
		}
		return c.Aggregate(c, n, spec)
	case function.Analytic:
		return c.analytic(n, spec)
	case function.Window:
		return nil, errorf(n.NamePos, "function %s: %v", n.Name, ErrNotSupported)
	case function.Special:
		if spec.Exec == nil {
			return nil, errorf(n.NamePos, "function %s: %v", n.Name, ErrNotSupported)
		}
	}
	args, consts, err := c.compileArgs(n, spec)
	if err != nil {
		return nil, err
	}
	if spec.Exec == nil {
		return nil, errorf(n.NamePos, "function %s has no implementation", n.Name)
	}
	c.funcID++
	fctx := &function.Context{RuleID: c.RuleID, FuncID: c.funcID, Now: c.Now, Location: c.Location}
	allConst := true
	for _, a := range consts {
		allConst = allConst && a.Const
	}
	exec := spec.Exec
	if allConst && spec.Deterministic {
		vals := make([]value.Value, len(consts))
		for i, a := range consts {
			vals[i] = a.Value
		}
		v, err := exec(fctx, vals)
		if err != nil {
			return nil, errorf(n.NamePos, "function %s: %v", n.Name, err)
		}
		return Const(v), nil
	}
	buf := make([]value.Value, len(args))
	return func(ctx *Ctx) (value.Value, error) {
		for i, a := range args {
			v, err := a(ctx)
			if err != nil {
				return v, err
			}
			buf[i] = v
		}
		return exec(fctx, buf)
	}, nil
}

// compileArgs compiles a call's arguments and checks them against the spec.
func (c *Compiler) compileArgs(n *ast.Call, spec *function.Spec) ([]Eval, []function.Arg, error) {
	args := make([]Eval, 0, len(n.Args))
	consts := make([]function.Arg, 0, len(n.Args))
	for _, a := range n.Args {
		if _, star := a.(*ast.Wildcard); star {
			continue // count(*): no argument
		}
		e, err := c.Compile(a)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, e)
		v, isConst := IsConst(a)
		arg := function.Arg{Const: isConst, Value: v}
		if IsColumnRef(a, c.Resolver) {
			arg.Name = columnName(a)
		}
		consts = append(consts, arg)
	}
	if err := spec.CheckArgs(consts); err != nil {
		return nil, nil, errorf(n.NamePos, "%v", err)
	}
	return args, consts, nil
}

func (c *Compiler) analytic(n *ast.Call, spec *function.Spec) (Eval, error) {
	if c.NoAnalytic {
		return nil, errorf(n.NamePos, "analytic function %s is not allowed here", n.Name)
	}
	if spec.NewState == nil || spec.ExecAnalytic == nil {
		return nil, errorf(n.NamePos, "analytic function %s has no implementation", n.Name)
	}
	outer := c.refs
	var refs []int
	c.refs = &refs
	defer func() {
		// A nested analytic call's sources are the enclosing one's too.
		c.refs = outer
		for _, s := range refs {
			c.noteSource(s)
		}
	}()
	args, consts, err := c.compileArgs(n, spec)
	if err != nil {
		return nil, err
	}
	a := &Analytic{Spec: spec, Args: args, ConstArgs: consts}
	if n.Over != nil {
		for _, p := range n.Over.Partition {
			e, err := c.Compile(p)
			if err != nil {
				return nil, err
			}
			a.Partition = append(a.Partition, e)
		}
		if n.Over.When != nil {
			if a.When, err = c.Compile(n.Over.When); err != nil {
				return nil, err
			}
		}
	}
	a.Sources = refs
	a.Pos = n.NamePos
	a.Slot = c.NewSlot()
	c.Analytics = append(c.Analytics, a)
	slot := a.Slot
	return func(ctx *Ctx) (value.Value, error) { return ctx.Slots[slot], nil }, nil
}

// special compiles the functions the planner owns: meta data, rule and
// window information.
func (c *Compiler) special(name string, n *ast.Call) (Eval, bool, error) {
	switch name {
	case "meta", "mqtt":
		if len(n.Args) != 1 {
			return nil, true, errorf(n.NamePos, "function %s expects 1 argument, got %d", name, len(n.Args))
		}
		src, path, err := c.metaPath(n.Args[0])
		if err != nil {
			return nil, true, err
		}
		c.noteSource(src)
		key := path[0]
		rest := path[1:]
		return func(ctx *Ctx) (value.Value, error) {
			r := ctx.Row(src)
			if r == nil {
				return value.Value{}, nil
			}
			v := r.MetaValue(key)
			for _, p := range rest {
				if v.Kind() != value.Obj {
					return value.Value{}, nil
				}
				v = v.Object().Get(p)
			}
			return v, nil
		}, true, nil
	case "rule_id":
		return Const(value.StringValue(c.RuleID)), true, nil
	case "window_start":
		return func(ctx *Ctx) (value.Value, error) {
			if ctx.WindowStart == 0 && ctx.WindowEnd == 0 {
				return value.Value{}, nil
			}
			return value.IntValue(ctx.WindowStart), nil
		}, true, nil
	case "window_end":
		return func(ctx *Ctx) (value.Value, error) {
			if ctx.WindowEnd == 0 {
				return value.Value{}, nil
			}
			return value.IntValue(ctx.WindowEnd), nil
		}, true, nil
	case "row_number":
		if len(n.Args) != 0 {
			return nil, true, errorf(n.NamePos, "function row_number expects no arguments, got %d", len(n.Args))
		}
		return func(ctx *Ctx) (value.Value, error) {
			return value.IntValue(max(ctx.RowNumber, 1)), nil
		}, true, nil
	case "rule_start":
		start := int64(0)
		if c.Now != nil {
			start = c.Now().UnixMilli()
		}
		return Const(value.IntValue(start)), true, nil
	case "last_hit_count":
		return func(ctx *Ctx) (value.Value, error) { return value.IntValue(ctx.HitCount), nil }, true, nil
	case "last_hit_time":
		return func(ctx *Ctx) (value.Value, error) { return value.IntValue(ctx.HitTime), nil }, true, nil
	case "last_agg_hit_count":
		return func(ctx *Ctx) (value.Value, error) { return value.IntValue(ctx.AggHitCount), nil }, true, nil
	case "last_agg_hit_time":
		return func(ctx *Ctx) (value.Value, error) { return value.IntValue(ctx.AggHitTime), nil }, true, nil
	case "event_time":
		return func(ctx *Ctx) (value.Value, error) {
			if ctx.WindowEnd != 0 {
				return value.IntValue(ctx.WindowEnd), nil
			}
			r := ctx.Row(0)
			if r == nil {
				return value.Value{}, nil
			}
			return value.IntValue(r.Ts), nil
		}, true, nil
	}
	return nil, false, nil
}

// metaPath reads the argument of meta(): a key, "src.key" or a nested
// path "src.a.b".
func (c *Compiler) metaPath(e ast.Expr) (int, []string, error) {
	var parts []string
	for {
		switch n := e.(type) {
		case *ast.Ident:
			parts = append([]string{n.Name}, parts...)
			if len(parts) > 1 && c.Resolver.IsSource(parts[0]) {
				src, err := c.Resolver.Column(parts[0], parts[1], n.NamePos)
				if err != nil {
					src = 0
				}
				return src, parts[1:], nil
			}
			return 0, parts, nil
		case *ast.MemberExpr:
			parts = append([]string{n.Name}, parts...)
			e = n.X
		case *ast.Wildcard:
			return 0, nil, errorf(n.Pos(), "meta(*) is not supported yet")
		default:
			return 0, nil, errorf(e.Pos(), "meta() expects a key name, got %s", e)
		}
	}
}
