package function

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kuiperio/kuiper/internal/value"
)

// JSON functions. JSONPath expressions (Goessner syntax: $, @, .name,
// ['name'], [0], [-1], [*], .., [a:b], unions, filters [?(@.age > 60)]
// and [? @.age > 60]; see jsonpath.go) are evaluated over the value
// directly. As in eKuiper, a path that names one place (only names and
// indexes) yields that value, while wildcards, filters, slices, unions and
// descent yield an array of matches.

func jsonSpecs() []*Spec {
	return []*Spec{
		{
			Name: "json_path_query", Category: CatJSON, Params: []Param{param("value", TAny), param("path", TString)}, Returns: TAny,
			Description: "Evaluates a JSONPath over the value: the value at a single-place path (null when absent), or the array of matches of a path with wildcards, filters, slices or descent.",
			Examples: []Example{
				ex(`json_path_query(object_construct("a", object_construct("b", 1)), "$.a.b")`, "1"),
				exIn(`json_path_query(doc, "$.books[?(@.price > 10)].title")`, `[{"doc": {"books": [{"title": "A", "price": 8.95}, {"title": "B", "price": 12.99}]}}]`, `["B"]`),
				exIn(`json_path_query(doc, "$.books[*].price")`, `[{"doc": {"books": [{"title": "A", "price": 8.95}, {"title": "B", "price": 12.99}]}}]`, `[8.95,12.99]`),
			},
			Deterministic: true, Validate: validateJSONPath,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				path, matches, err := jsonPath(ctx, args)
				if err != nil || path == nil {
					return missing, err
				}
				if path.definite {
					v, _ := path.walk(args[0])
					return v, nil
				}
				if matches == nil {
					matches = []value.Value{}
				}
				return value.ArrayValue(matches), nil
			},
		},
		{
			Name: "json_path_query_first", Category: CatJSON, Params: []Param{param("value", TAny), param("path", TString)}, Returns: TAny,
			Description: "The first match of a JSONPath over the value, null when nothing matches.",
			Examples: []Example{
				exIn(`json_path_query_first(doc, "$.books[*].title")`, `[{"doc": {"books": [{"title": "A", "price": 8.95}, {"title": "B", "price": 12.99}]}}]`, `"A"`),
			},
			Deterministic: true, Validate: validateJSONPath,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				path, matches, err := jsonPath(ctx, args)
				if err != nil || path == nil {
					return missing, err
				}
				if path.definite {
					v, _ := path.walk(args[0])
					return v, nil
				}
				if len(matches) == 0 {
					return missing, nil
				}
				return matches[0], nil
			},
		},
		{
			Name: "json_path_exists", Category: CatJSON, Params: []Param{param("value", TAny), param("path", TString)}, Returns: TBool,
			Description: "Whether a JSONPath matches anything in the value; false for a nil value.",
			Examples: []Example{
				ex(`json_path_exists(object_construct("a", 1), "$.a")`, "true"),
				ex(`json_path_exists(object_construct("a", 1), "$.b")`, "false"),
			},
			Deterministic: true, Validate: validateJSONPath,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				path, matches, err := jsonPath(ctx, args)
				if err != nil || path == nil {
					return value.BoolValue(false), err
				}
				if path.definite {
					_, ok := path.walk(args[0])
					return value.BoolValue(ok), nil
				}
				return value.BoolValue(len(matches) > 0), nil
			},
		},
		{
			Name: "to_json", Category: CatJSON, Params: []Param{param("value", TAny)}, Returns: TString,
			Description:   "JSON text of the value, object keys sorted; \"null\" for nil.",
			Examples:      []Example{ex(`to_json(object_construct("b", array_create(1, 2), "a", "x"))`, `"{\"a\":\"x\",\"b\":[1,2]}"`), ex("to_json(null)", `"null"`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				return value.StringValue(string(args[0].AppendJSON(nil, value.SortKeys|value.EscapeHTML))), nil
			},
		},
		{
			Name: "parse_json", Category: CatJSON, Params: []Param{param("text", TString|TBytes)}, Returns: TAny,
			Description:   "Parses JSON text into a value (objects keep their key order); null for nil or \"null\". Invalid JSON fails the row.",
			Examples:      []Example{ex(`parse_json("{\"a\": 5, \"b\": [1.5, true]}")`, `{"a":5,"b":[1.5,true]}`), ex(`parse_json("null")`, "null")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				s, err := textOrBytes(0, args[0])
				if err != nil {
					return missing, err
				}
				v, err := parseJSON(s)
				if err != nil {
					return missing, fmt.Errorf("parse json: %w", err)
				}
				if v.IsNil() {
					return missing, nil
				}
				return v, nil
			},
		},
	}
}

// compiledPath is a parsed JSONPath. A definite path (names and indexes
// only) is also kept as steps and walked without collecting matches.
type compiledPath struct {
	expr     *jpPath
	definite bool
	steps    []pathStep
}

// pathStep is a field name or, when isIndex, an array index (negative
// counts from the end).
type pathStep struct {
	key     string
	index   int
	isIndex bool
}

func compileJSONPath(src string) (*compiledPath, error) {
	x, err := parseJSONPath(strings.TrimSpace(src))
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %w", src, err)
	}
	p := &compiledPath{expr: x, definite: x.definite()}
	if p.definite {
		for _, s := range x.segs {
			p.steps = append(p.steps, pathStep{key: s.name, index: s.index, isIndex: s.kind == jpIndex})
		}
	}
	return p, nil
}

// walk follows a definite path through v; ok is false when some step
// does not exist.
func (p *compiledPath) walk(v value.Value) (value.Value, bool) {
	for _, s := range p.steps {
		switch {
		case s.isIndex && v.Kind() == value.Array:
			a := v.Array()
			i := s.index
			if i < 0 {
				i += len(a)
			}
			if i < 0 || i >= len(a) {
				return missing, false
			}
			v = a[i]
		case !s.isIndex && v.Kind() == value.Obj:
			v = v.Object().Get(s.key)
			if v.IsMissing() {
				return missing, false
			}
		default:
			return missing, false
		}
	}
	return v, true
}

func validateJSONPath(args []Arg) error {
	if v, ok := constArg(args, 1); ok && v.Kind() == value.String {
		if _, err := compileJSONPath(v.Str()); err != nil {
			return fmt.Errorf("argument 2 (path): %w", err)
		}
	}
	return nil
}

// jsonPath evaluates the path argument over the value argument. A nil
// value gives a nil path and no error.
func jsonPath(ctx *Context, args []value.Value) (*compiledPath, []value.Value, error) {
	if anyNil(args) {
		return nil, nil, nil
	}
	src, err := toStrArg(1, args[1])
	if err != nil {
		return nil, nil, err
	}
	p, err := cachedBy(ctx, src, compileJSONPath)
	if err != nil {
		return nil, nil, err
	}
	if p.definite {
		return p, nil, nil // callers walk the value
	}
	matches, err := p.expr.eval(args[0], args[0])
	if err != nil {
		return nil, nil, err
	}
	return p, matches, nil
}

// parseJSON decodes one JSON document, keeping object keys in document
// order and reading integers as bigint.
func parseJSON(s string) (value.Value, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	if err != nil {
		return missing, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return missing, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder) (value.Value, error) {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return missing, io.ErrUnexpectedEOF
		}
		return missing, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := value.NewObject(4)
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return missing, err
				}
				v, err := decodeJSON(dec)
				if err != nil {
					return missing, err
				}
				o.Set(k.(string), v)
			}
			if _, err := dec.Token(); err != nil {
				return missing, err
			}
			return value.ObjectValue(o), nil
		case '[':
			a := []value.Value{}
			for dec.More() {
				v, err := decodeJSON(dec)
				if err != nil {
					return missing, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return missing, err
			}
			return value.ArrayValue(a), nil
		}
		return missing, fmt.Errorf("unexpected %v", t)
	default:
		return value.FromAny(t), nil
	}
}
