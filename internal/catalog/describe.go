package catalog

import (
	"github.com/kuiperio/kuiper/internal/sql/ast"
)

// Description is eKuiper's answer to DESCRIBE and GET /streams/{name}.
type Description struct {
	Name         string            `json:"Name"`
	StreamFields []FieldDesc       `json:"StreamFields"`
	Options      map[string]string `json:"Options"`
	StreamType   int               `json:"StreamType"`
	Statement    *string           `json:"Statement"`
}

// FieldDesc describes one column.
type FieldDesc struct {
	Name      string `json:"Name"`
	FieldType any    `json:"FieldType"`
}

// eKuiper's numbering of data types.
var typeCodes = map[ast.TypeKind]int{
	ast.TypeUnknown: 0, ast.TypeBigint: 1, ast.TypeFloat: 2, ast.TypeString: 3,
	ast.TypeBytea: 4, ast.TypeDatetime: 5, ast.TypeBoolean: 6, ast.TypeArray: 7, ast.TypeStruct: 8,
}

// Describe returns the eKuiper-shaped description of d.
func (d *Def) Describe() *Description {
	desc := &Description{Name: d.Name, Options: map[string]string{}}
	if d.Kind == ast.KindTable {
		desc.StreamType = 1
	}
	for k, v := range d.Props.Raw {
		desc.Options[k] = v
	}
	if len(d.Columns) > 0 {
		desc.StreamFields = describeColumns(d.Columns)
	}
	return desc
}

func describeColumns(cols []*ast.ColumnDef) []FieldDesc {
	out := make([]FieldDesc, len(cols))
	for i, c := range cols {
		out[i] = FieldDesc{Name: c.Name, FieldType: describeType(c.Type)}
	}
	return out
}

func describeType(t *ast.DataType) any {
	switch t.Kind {
	case ast.TypeArray:
		m := map[string]any{"Type": typeCodes[ast.TypeArray]}
		if t.Elem != nil {
			m["ElemType"] = describeType(t.Elem)
		}
		return m
	case ast.TypeStruct:
		return map[string]any{"Type": typeCodes[ast.TypeStruct], "StreamFields": describeColumns(t.Fields)}
	}
	return map[string]any{"Type": typeCodes[t.Kind]}
}

// SchemaJSON returns the JSON-schema-like shape of GET /streams/{name}/schema:
// field name to {"type": ...}.
func (d *Def) SchemaJSON() map[string]any {
	out := map[string]any{}
	for _, c := range d.Columns {
		out[c.Name] = schemaType(c.Type)
	}
	return out
}

func schemaType(t *ast.DataType) map[string]any {
	switch t.Kind {
	case ast.TypeArray:
		m := map[string]any{"type": "array"}
		if t.Elem != nil {
			m["items"] = schemaType(t.Elem)
		}
		return m
	case ast.TypeStruct:
		props := map[string]any{}
		for _, f := range t.Fields {
			props[f.Name] = schemaType(f.Type)
		}
		return map[string]any{"type": "struct", "properties": props}
	}
	names := map[ast.TypeKind]string{ast.TypeBigint: "bigint", ast.TypeFloat: "float", ast.TypeString: "string",
		ast.TypeDatetime: "datetime", ast.TypeBoolean: "boolean", ast.TypeBytea: "bytea"}
	return map[string]any{"type": names[t.Kind]}
}
