package parser_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

// conformanceDir holds the black-box cases shared with the engine.
const conformanceDir = "../../../testdata/conformance"

var posType = reflect.TypeOf(token.Pos{})

// dump renders a tree as an indented S-expression: "(Type Field: value
// ...)". Positions and empty fields (nil, "", false, empty lists) are left
// out; enums print by name. Short nodes stay on one line.
func dump(n any) string {
	return dumpValue(reflect.ValueOf(n), "")
}

func dumpValue(v reflect.Value, indent string) string {
	switch v.Kind() {
	case reflect.Invalid:
		return "nil"
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return dumpValue(v.Elem(), indent)
	case reflect.Struct:
		return dumpStruct(v, indent)
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = dumpValue(v.Index(i), indent+"  ")
		}
		return joinDump("[", parts, "]", indent)
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Int, reflect.Int64:
		if s, ok := v.Interface().(fmt.Stringer); ok {
			return s.String()
		}
		return strconv.FormatInt(v.Int(), 10)
	}
	return fmt.Sprintf("%v", v.Interface())
}

func dumpStruct(v reflect.Value, indent string) string {
	var parts []string
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if t.Field(i).Type == posType || isEmpty(f) {
			continue
		}
		parts = append(parts, t.Field(i).Name+": "+dumpValue(f, indent+"  "))
	}
	return joinDump("("+t.Name(), parts, ")", indent)
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	case reflect.Slice:
		return v.Len() == 0
	case reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	}
	return false
}

// joinDump puts parts on one line when short, one per line otherwise.
func joinDump(open string, parts []string, close string, indent string) string {
	line := open + strings.Join(parts, " ") + close
	if open != "[" && len(parts) > 0 {
		line = open + " " + strings.Join(parts, " ") + close
	}
	if len(indent)+len(line) <= 80 && !strings.Contains(line, "\n") {
		return line
	}
	var b strings.Builder
	b.WriteString(open)
	for _, p := range parts {
		b.WriteString("\n" + indent + "  " + p)
	}
	b.WriteString(close)
	return b.String()
}

// clearPos zeroes every token.Pos in the tree, in place.
func clearPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			clearPos(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.CanSet() {
				v.Set(reflect.Zero(posType))
			}
			return
		}
		for i := range v.NumField() {
			clearPos(v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			clearPos(v.Index(i))
		}
	}
}

// requireSameTree fails unless a and b are deep-equal once positions are
// ignored. Both trees are modified.
func requireSameTree(t testing.TB, a, b ast.Node, msgAndArgs ...any) {
	t.Helper()
	clearPos(reflect.ValueOf(a))
	clearPos(reflect.ValueOf(b))
	if !reflect.DeepEqual(a, b) {
		require.Equal(t, dump(a), dump(b), msgAndArgs...)
		require.Fail(t, "trees differ", msgAndArgs...)
	}
}

// requireRoundTrip checks that stmt prints to SQL that parses back to an
// equal tree and prints the same again.
func requireRoundTrip(t testing.TB, stmt ast.Statement) {
	t.Helper()
	s := stmt.String()
	again, err := parser.ParseStatement(s)
	require.NoError(t, err, "reparse %q", s)
	require.Equal(t, s, again.String(), "String of reparsed tree")
	requireSameTree(t, stmt, again, "round trip of %q", s)
}

// conformanceSQL returns every statement of the conformance cases, keyed
// by "file/field#i".
func conformanceSQL(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range []string{"cases", "beyond"} {
		files, err := filepath.Glob(filepath.Join(conformanceDir, dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "no conformance cases in %s", dir)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var c struct {
				Streams []string `json:"streams"`
				Tables  []string `json:"tables"`
				Rule    struct {
					SQL string `json:"sql"`
				} `json:"rule"`
			}
			require.NoError(t, json.Unmarshal(data, &c), file)
			name := dir + "/" + strings.TrimSuffix(filepath.Base(file), ".json")
			for i, s := range c.Streams {
				out[fmt.Sprintf("%s/streams#%d", name, i)] = s
			}
			for i, s := range c.Tables {
				out[fmt.Sprintf("%s/tables#%d", name, i)] = s
			}
			out[name+"/rule"] = c.Rule.SQL
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sexpr renders an expression fully parenthesized, to assert structure
// compactly: "a + b * c" is "(+ a (* b c))".
func sexpr(e ast.Expr) string {
	switch e := e.(type) {
	case nil:
		return "_"
	case *ast.Ident:
		if e.Quoted {
			return "`" + e.Name + "`"
		}
		return e.Name
	case *ast.Wildcard:
		s := "*"
		if e.Qualifier != "" {
			s = e.Qualifier + ".*"
		}
		if len(e.Except) > 0 || len(e.Replace) > 0 {
			s = "(" + s
			if len(e.Except) > 0 {
				s += " (except " + strings.Join(e.Except, " ") + ")"
			}
			for _, f := range e.Replace {
				s += " (replace " + sexpr(f.Expr) + " " + f.Alias + ")"
			}
			s += ")"
		}
		return s
	case *ast.MemberExpr:
		op := "."
		if e.Arrow {
			op = "->"
		}
		return "(" + op + " " + sexpr(e.X) + " " + e.Name + ")"
	case *ast.IndexExpr:
		return "([] " + sexpr(e.X) + " " + sexpr(e.Index) + ")"
	case *ast.SliceExpr:
		return "([:] " + sexpr(e.X) + " " + sexpr(e.Low) + " " + sexpr(e.High) + ")"
	case *ast.IntegerLit:
		return e.Raw
	case *ast.NumberLit:
		return e.Raw
	case *ast.StringLit:
		return strconv.Quote(e.Value)
	case *ast.BooleanLit:
		return strings.ToUpper(strconv.FormatBool(e.Value))
	case *ast.TimeUnitLit:
		return e.Unit.String()
	case *ast.BinaryExpr:
		return "(" + e.Op.String() + " " + sexpr(e.LHS) + " " + sexpr(e.RHS) + ")"
	case *ast.UnaryExpr:
		return "(" + e.Op.String() + " " + sexpr(e.X) + ")"
	case *ast.ParenExpr:
		return "(paren " + sexpr(e.X) + ")"
	case *ast.Call:
		s := "(call " + e.Name + sexprList(e.Args)
		if e.Filter != nil {
			s += " (filter " + sexpr(e.Filter) + ")"
		}
		return s + sexprOver(e.Over) + ")"
	case *ast.WindowExpr:
		s := "(window " + e.Type.String() + sexprList(e.Args)
		if e.Filter != nil {
			s += " (filter " + sexpr(e.Filter) + ")"
		}
		return s + sexprOver(e.Over) + ")"
	case *ast.CaseExpr:
		s := "(case"
		if e.Value != nil {
			s += " " + sexpr(e.Value)
		}
		for _, w := range e.Whens {
			s += " (when " + sexpr(w.Cond) + " " + sexpr(w.Result) + ")"
		}
		if e.Else != nil {
			s += " (else " + sexpr(e.Else) + ")"
		}
		return s + ")"
	case *ast.InExpr:
		op := "in"
		if e.Not {
			op = "notin"
		}
		if e.Array != nil {
			return "(" + op + " " + sexpr(e.X) + " " + sexpr(e.Array) + ")"
		}
		return "(" + op + " " + sexpr(e.X) + " (list" + sexprList(e.List) + "))"
	case *ast.BetweenExpr:
		op := "between"
		if e.Not {
			op = "notbetween"
		}
		return "(" + op + " " + sexpr(e.X) + " " + sexpr(e.Low) + " " + sexpr(e.High) + ")"
	case *ast.LikeExpr:
		op := "like"
		if e.Not {
			op = "notlike"
		}
		return "(" + op + " " + sexpr(e.X) + " " + sexpr(e.Pattern) + ")"
	}
	return fmt.Sprintf("<%T>", e)
}

func sexprList(list []ast.Expr) string {
	var s string
	for _, e := range list {
		s += " " + sexpr(e)
	}
	return s
}

func sexprOver(o *ast.OverClause) string {
	if o == nil {
		return ""
	}
	s := " (over"
	if len(o.Partition) > 0 {
		s += " (partition" + sexprList(o.Partition) + ")"
	}
	for _, k := range o.OrderBy {
		s += " (order " + sexpr(k.Expr)
		if k.Desc {
			s += " desc"
		}
		s += ")"
	}
	if o.When != nil {
		s += " (when " + sexpr(o.When) + ")"
	}
	return s + ")"
}
