package catalog

import (
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
)

// Schema returns the declared columns as value types, or nil for a
// schemaless definition.
func (d *Def) Schema() []value.Column {
	if d.Schemaless() {
		return nil
	}
	return columns(d.Columns)
}

func columns(defs []*ast.ColumnDef) []value.Column {
	cols := make([]value.Column, len(defs))
	for i, c := range defs {
		cols[i] = value.Column{Name: c.Name, Type: typeOf(c.Type)}
		if c.Default != nil {
			cols[i].Default = literal(c.Default)
		}
	}
	return cols
}

func typeOf(t *ast.DataType) *value.Type {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case ast.TypeBigint:
		return &value.Type{Kind: value.Int}
	case ast.TypeFloat:
		return &value.Type{Kind: value.Float}
	case ast.TypeString:
		return &value.Type{Kind: value.String}
	case ast.TypeDatetime:
		return &value.Type{Kind: value.Time}
	case ast.TypeBoolean:
		return &value.Type{Kind: value.Bool}
	case ast.TypeBytea:
		return &value.Type{Kind: value.Bytes}
	case ast.TypeArray:
		return &value.Type{Kind: value.Array, Elem: typeOf(t.Elem)}
	case ast.TypeStruct:
		return &value.Type{Kind: value.Obj, Fields: columns(t.Fields)}
	}
	return nil
}

func literal(e ast.Expr) value.Value {
	switch n := e.(type) {
	case *ast.IntegerLit:
		return value.IntValue(n.Value)
	case *ast.NumberLit:
		return value.FloatValue(n.Value)
	case *ast.StringLit:
		return value.StringValue(n.Value)
	case *ast.BooleanLit:
		return value.BoolValue(n.Value)
	case *ast.UnaryExpr:
		v := literal(n.X)
		switch v.Kind() {
		case value.Int:
			return value.IntValue(-v.Int())
		case value.Float:
			return value.FloatValue(-v.Float())
		}
	case *ast.ParenExpr:
		return literal(n.X)
	}
	return value.Value{}
}
