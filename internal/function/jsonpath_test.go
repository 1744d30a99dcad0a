package function

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

const jpDoc = `{"store": {"book": [
    {"category": "ref", "author": "Nigel", "title": "A", "price": 8.95},
    {"category": "fiction", "author": "Evelyn", "title": "B", "price": 12.99, "tags": ["x", "y"]},
    {"category": "fiction", "author": "Herman", "title": "C", "isbn": "0-553", "price": 22, "sale": null},
    {"category": "fiction", "author": "J. R. R.", "title": "D", "isbn": "0-395", "price": 22.99, "sale": false}
  ], "bicycle": {"color": "red", "price": 19.95}},
  "limit": 20, "a b": {"c'd": 1}, "empty": [], "n": null}`

func TestJSONPath_Eval(t *testing.T) {
	doc, err := parseJSON(jpDoc)
	require.NoError(t, err)
	tests := []struct {
		path string
		want string // JSON array of the matches
	}{
		{"$", `[` + string(doc.AppendJSON(nil, 0)) + `]`},
		{"$.store.book[0].title", `["A"]`},
		{"store.book[0].title", `["A"]`},
		{"$['store']['bicycle'][\"color\"]", `["red"]`},
		{"$['a b']['c\\'d']", `[1]`},
		{"$.store.book[-1].title", `["D"]`},
		{"$.store.book[9].title", `[]`},
		{"$.store.book[*].author", `["Nigel","Evelyn","Herman","J. R. R."]`},
		{"$.store.book.*.title", `["A","B","C","D"]`},
		{"$.store.*", `[[{"category":"ref","author":"Nigel","title":"A","price":8.95},{"category":"fiction","author":"Evelyn","title":"B","price":12.99,"tags":["x","y"]},{"category":"fiction","author":"Herman","title":"C","isbn":"0-553","price":22,"sale":null},{"category":"fiction","author":"J. R. R.","title":"D","isbn":"0-395","price":22.99,"sale":false}],{"color":"red","price":19.95}]`},
		{"$..price", `[8.95,12.99,22,22.99,19.95]`},
		{"$.store..title", `["A","B","C","D"]`},
		{"$..book[2].title", `["C"]`},
		{"$..[0]", `[{"category":"ref","author":"Nigel","title":"A","price":8.95},"x"]`},
		{"$..tags.*", `["x","y"]`},
		{"$.store.book[1:3].title", `["B","C"]`},
		{"$.store.book[:2].title", `["A","B"]`},
		{"$.store.book[-2:].title", `["C","D"]`},
		{"$.store.book[::2].title", `["A","C"]`},
		{"$.store.book[::-1].title", `["D","C","B","A"]`},
		{"$.store.book[3:0:-2].title", `["D","B"]`},
		{"$.store.book[0:9:0].title", `[]`},
		{"$.store.book[0,2].title", `["A","C"]`},
		{"$.store.book[0]['title','author']", `["A","Nigel"]`},
		{"$.empty[*]", `[]`},
		{"$.n", `[null]`},
		{"$.n.x", `[]`},
		{"$.limit[0]", `[]`},
		// filters
		{"$.store.book[?(@.price > 20)].title", `["C","D"]`},
		{"$.store.book[? @.price>20].title", `["C","D"]`},
		{"$.store.book[?(@.price == 22)].title", `["C"]`},
		{"$.store.book[?(@.price == 22.0)].title", `["C"]`},
		{"$.store.book[?(@.price != 22)].title", `["A","B","D"]`},
		{"$.store.book[?(@.price <= 12.99)].title", `["A","B"]`},
		{"$.store.book[?(@.price < $.limit)].title", `["A","B"]`},
		{"$.store.book[?(@.price >= $.store.bicycle.price)].title", `["C","D"]`},
		{"$.store.book[?(@.isbn)].title", `["C","D"]`},
		{"$.store.book[?(!@.isbn)].title", `["A","B"]`},
		{"$.store.book[?(@.sale == null)].title", `["C"]`},
		{"$.store.book[?(@.sale == false)].title", `["D"]`},
		{"$.store.book[?(@.category == 'fiction' && @.price < 20)].title", `["B"]`},
		{`$.store.book[?(@.category == "ref" || @.price > 22.5)].title`, `["A","D"]`},
		{"$.store.book[?(!(@.price > 10))].title", `["A"]`},
		{"$.store.book[?(@.author =~ /^[EH]/)].title", `["B","C"]`},
		{"$.store.book[?(@.author =~ 'n$')].title", `["B","C"]`},
		{"$.store.book[?(@.title in ['A', 'D', 'Z'])].price", `[8.95,22.99]`},
		{"$.store.book[?(@.price * 2 > 40)].title", `["C","D"]`},
		{"$.store.book[?(@.price - 2 == 20)].title", `["C"]`},
		{"$.store.book[?(@.price / 2 < 5)].title", `["A"]`},
		{"$.store.book[?(length(@.tags) == 2)].title", `["B"]`},
		{"$.store.book[?(length(@.author) > 6)].title", `["D"]`},
		{"$.store.book[?(@.tags[*] == 'y')].title", `["B"]`},
		{"$.store.book[?(@.price > 100)]", `[]`},
		{"$.store[?(@.color)].price", `[19.95]`},
		{"$..[?(@.price > 22.5)].title", `["D"]`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := parseJSONPath(tt.path)
			require.NoError(t, err)
			got, err := p.eval(doc, doc)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(value.ArrayValue(append([]value.Value{}, got...)).AppendJSON(nil, 0)))
		})
	}
}

func TestJSONPath_ParseErrors(t *testing.T) {
	tests := []struct{ path, err string }{
		// start of the path
		{"", "empty path: expected $ or @ at offset 0"},
		{"#", "expected $ or @ to start the path, found '#' at offset 0"},
		{"$ x", `expected '.', '..' or '[' to continue the path, found 'x' at offset 2`},
		{"$.a)", `expected '.', '..' or '[' to continue the path, found ')' at offset 3`},
		// dots
		{"$.", "expected a name or * after '.', found end of path at offset 2"},
		{"$..", "expected a name or * after '.', found end of path at offset 3"},
		{"$.[", "expected a name or * after '.', found '[' at offset 2"},
		{"$.\x00", `expected a name or * after '.', found '\x00' at offset 2`},
		// brackets
		{"$[", "expected a name, an index, a slice, * or a filter in brackets, found end of path at offset 2"},
		{"$[0", "expected ']' to close the '[' at offset 1, found end of path at offset 3"},
		{"$['a'", "expected ']' to close the '[' at offset 1, found end of path at offset 5"},
		{"$['a' 'b']", "expected ']' to close the '[' at offset 1, found '\\'' at offset 6"},
		{"$[*,0]", "expected ']' to close the '[' at offset 1, found ',' at offset 3"},
		{"$[a]", "expected a name, an index, a slice, * or a filter in brackets, found 'a' at offset 2"},
		{"$[é]", "found 'é' at offset 2"},
		{"$[0,]", "found ']' at offset 4"},
		{"$[1:2,3]", "a slice cannot be part of a union at offset 2"},
		{"$[0,1:2]", "a slice cannot be part of a union at offset 4"},
		{"$[1:2 , 3]", "a slice cannot be part of a union at offset 2"},
		{"$[-]", "expected digits after '-', found ']' at offset 3"},
		{"$[99999999999999999999]", "index 99999999999999999999 is out of range at offset 2"},
		{"$[0:-99999999999999999999]", "index -99999999999999999999 is out of range at offset 4"},
		// strings
		{"$['a", "unterminated string: expected a closing ' at offset 2"},
		{`$["a\"]`, `unterminated string: expected a closing " at offset 2`},
		{`$['\u12']`, `expected four hex digits after \u, found "12']" at offset 3`},
		{`$['\u1`, `expected four hex digits after \u at offset 3`},
		// filters
		{"$[?(@.a > )]", "expected an operand in the filter, found ')' at offset 10"},
		{"$[?(@.a > 1]", "expected ')' to close the '(' at offset 3, found ']' at offset 11"},
		{"$[?(@.a > 1)", "expected ']' to close the '[' at offset 1, found end of path at offset 12"},
		{"$[?(@.a >", "expected an operand in the filter, found end of path at offset 9"},
		{"$[?]", "expected an operand in the filter, found ']' at offset 3"},
		{"$[?(@.a =~ /(/)]", "bad regular expression: error parsing regexp: missing closing ): `(` at offset 11"},
		{"$[?(@.a =~ '(')]", "bad regular expression: error parsing regexp: missing closing ): `(` at offset 11"},
		{"$[?(@.a =~ 5)]", "expected a /regexp/ or a string after =~ at offset 11"},
		{"$[?(@.a =~ /x)]", "unterminated regular expression: expected a closing / at offset 11"},
		{"$[?(@.a == foo)]", `unknown word "foo" in filter: expected a path, a number, a string, true, false, null or length(…) at offset 11`},
		{"$[?(length @.a)]", "expected '(' after length, found '@' at offset 11"},
		{"$[?length(@.a]", "expected ')' to close the '(' at offset 9, found ']' at offset 13"},
		{"$[?(@.a in [1, 2)]", "expected ',' or ']' to close the list at offset 11, found ')' at offset 16"},
		{"$[?(@.a == 1e999)]", `bad number "1e999" at offset 11`},
		{"$[?(@.a == 1.2.3)]", `bad number "1.2.3" at offset 11`},
		{"$[?(@.a == -)]", `bad number "-" at offset 11`},
		{"$[?(@.a == 'x)]", "unterminated string: expected a closing ' at offset 11"},
		{"$[?(@. == 1)]", "expected a name or * after '.', found ' ' at offset 6"},
		// nesting limits
		{"$[?(" + strings.Repeat("(", 100) + "@.a" + strings.Repeat(")", 100) + ")]", "path nests brackets, parentheses or filters more than 64 deep"},
		{"$[?(" + strings.Repeat("!", 100) + "@.a)]", "more than 64 deep"},
		{"$[?(@.a in " + strings.Repeat("[", 100) + ")]", "more than 64 deep"},
		{"$" + strings.Repeat("[?(@", 40) + strings.Repeat(")]", 40), "more than 64 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := parseJSONPath(tt.path)
			require.ErrorContains(t, err, tt.err)
		})
	}
}

// jpDeep is an array nested n deep around the number 1: [[[…[1]…]]].
func jpDeep(n int) value.Value {
	v := value.IntValue(1)
	for range n {
		v = value.ArrayValue([]value.Value{v})
	}
	return v
}

// TestJSONPath_Limits covers paths and documents that would otherwise take
// unbounded time, memory or stack. Some came from the fuzz targets.
func TestJSONPath_Limits(t *testing.T) {
	small, err := parseJSON(`{"a": [0, 1, 2, 3, 4], "big": [9223372036854775807, -9223372036854775808], "s": "ab", "r": "^a", "bad": "("}`)
	require.NoError(t, err)
	chain := `{"a":` // {"a":{"a":…{"a":1}…}} 12 deep
	for range 11 {
		chain += `{"a":`
	}
	chain += "1" + strings.Repeat("}", 12)
	nested, err := parseJSON(chain)
	require.NoError(t, err)
	wide := make([]value.Value, 3000)
	for i := range wide {
		wide[i] = value.IntValue(int64(i))
	}
	tests := []struct {
		name, path string
		doc        value.Value
		want       string // JSON array of the matches, or the error
	}{
		// slices whose bounds or steps would overflow an int
		{"huge end", "$.a[0:9223372036854775807:1]", small, `[0,1,2,3,4]`},
		{"huge step", "$.a[1::9223372036854775807]", small, `[1]`},
		{"huge start", "$.a[9223372036854775807:]", small, `[]`},
		{"min start", "$.a[-9223372036854775808:2]", small, `[0,1]`},
		{"min step", "$.a[::-9223372036854775808]", small, `[4]`},
		{"min step from start", "$.a[3:-9223372036854775808:-9223372036854775807]", small, `[3]`},
		{"max negative step", "$.a[4:0:-9223372036854775807]", small, `[4]`},
		{"negative step", "$.a[4:1:-2]", small, `[4,2]`},
		{"step 0", "$.a[::0]", small, `[]`},
		{"min index", "$.a[-9223372036854775808]", small, `[]`},
		{"max index", "$.a[9223372036854775807]", small, `[]`},
		// arithmetic that overflows bigint becomes float
		{"add overflow", "$.big[?(@ + 1 > 0)]", small, `[9223372036854775807]`},
		{"sub overflow", "$.big[?(@ - 1 < 0)]", small, `[-9223372036854775808]`},
		{"mul overflow", "$.big[?(@ * 2 > 0)]", small, `[9223372036854775807]`},
		{"mul min by -1", "$.big[?(@ * -1 > 0)]", small, `[-9223372036854775808]`},
		{"mul in range", "$.a[?(@ * -3 == -9)]", small, `[3]`},
		{"mul by zero", "$.big[?(@ * 0 == 0)]", small, `[9223372036854775807,-9223372036854775808]`},
		{"quotient is a float", "$.big[?(@ / 2 * 2 == @)]", small, `[-9223372036854775808]`},
		{"divide by zero", "$.a[?(@ / 0 == 1)]", small, `[]`},
		// regexps from the document are compiled once per pattern
		{"pattern from the document", "$[?(@ =~ $.r)]", small, `["ab"]`},
		{"bad pattern from the document", "$[?(@ =~ $.bad)]", small, `[]`},
		{"pattern from a sum", "$[?(@ =~ '^' + 'a')]", small, `["ab"]`},
		// deep documents: descent does not recurse on the goroutine's stack
		{"deep descent", "$..[?(@ == 1)]", jpDeep(100000), `[1]`},
		{"deep descent wildcard count", "$[?(length($..*) == 13)]", value.ArrayValue([]value.Value{nested}), `[{"a":` + chain[5:] + `]`},
		// work that grows as a power of the document is cut off
		{"descent of descent", "$..*..*..*..*..*..*", jpDeep(300), errJPTooMany.Error()},
		{"repeated unions", "$" + strings.Repeat("['a','a','a','a','a','a','a','a']", 12), nested, errJPTooMany.Error()},
		{"wide wildcards", "$[*][*][*][*][*][*][*][*]", jpWide(8, 8), errJPTooMany.Error()},
		{"filter over the root per element", "$[?(length($[?($[?(@ == 1)])]) > 0)]", value.ArrayValue(wide), errJPTooCostly.Error()},
		{"deep equality", "$..*[?($..* == $..*)]", jpDeep(3000), errJPTooCostly.Error()},
		{"filters nested 20 deep", "$" + strings.Repeat("[?(@", 20) + strings.Repeat(")]", 20), jpDeep(22), strings.Repeat("[", 22) + "1" + strings.Repeat("]", 22)},
		{"cheap on a wide array", "$[?(@ > 2997)]", value.ArrayValue(wide), `[2998,2999]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseJSONPath(tt.path)
			require.NoError(t, err)
			got, err := p.eval(tt.doc, tt.doc)
			if err != nil {
				require.Equal(t, tt.want, err.Error())
				return
			}
			require.Equal(t, tt.want, string(value.ArrayValue(append([]value.Value{}, got...)).AppendJSON(nil, 0)))
		})
	}
}

// TestJSONPath_SQLFunctions runs the three functions the way eKuiper's
// documentation uses them: filters with and without parentheses, bracket
// keys, $ and @, and query_first/exists over the same document.
func TestJSONPath_SQLFunctions(t *testing.T) {
	doc, err := parseJSON(`{"team": {"name": "ops", "on call": "kim"},
		"people": [{"name": "Ann", "age": 25, "langs": ["go"]}, {"name": "Bo", "age": 71}, {"name": "Cy", "age": 64, "langs": ["c", "go"]}],
		"fav.color": "green", "ids": [3, 1, 2]}`)
	require.NoError(t, err)
	list, err := parseJSON(`[{"first": "Dee", "age": 44}, {"first": "Ray", "age": 68}]`)
	require.NoError(t, err)
	tests := []struct {
		fn, path, want string
		doc            *value.Value // the object above when nil
	}{
		{"json_path_query", "$[0].first", `"Dee"`, &list},
		{"json_path_query", "$[? @.age>60].first", `["Ray"]`, &list},
		{"json_path_query", "$[*].age", `[44,68]`, &list},
		{"json_path_query_first", "$[? @.age>40].first", `"Dee"`, &list},
		{"json_path_exists", "$[? @.age>60]", "true", &list},
		{"json_path_query", "$.people[? @.age>60].name", `["Bo","Cy"]`, nil},
		{"json_path_query", "$.people[?(@.age > 60)].name", `["Bo","Cy"]`, nil},
		{"json_path_query", "$.people[? @.age>60]", `[{"name":"Bo","age":71},{"name":"Cy","age":64,"langs":["c","go"]}]`, nil},
		{"json_path_query", "$.people[?(@.langs)].name", `["Ann","Cy"]`, nil},
		{"json_path_query", "$.people[?(@.name == 'Bo' || @.age < 30)].age", `[25,71]`, nil},
		{"json_path_query", "$.people[0].name", `"Ann"`, nil},
		{"json_path_query", "$.people[-1].age", `64`, nil},
		{"json_path_query", "$.people[*].name", `["Ann","Bo","Cy"]`, nil},
		{"json_path_query", "$..langs[*]", `["go","c","go"]`, nil},
		{"json_path_query", "$['fav.color']", `"green"`, nil},
		{"json_path_query", "$.team['on call']", `"kim"`, nil},
		{"json_path_query", `$["team"]["name"]`, `"ops"`, nil},
		{"json_path_query", "$.ids[0:2]", `[3,1]`, nil},
		{"json_path_query", "$.people[?(@.age > $.ids[0] * 20)].name", `["Bo","Cy"]`, nil},
		{"json_path_query", "$.nobody", "missing", nil},
		{"json_path_query", "$.people[?(@.age > 99)]", `[]`, nil},
		{"json_path_query_first", "$.people[? @.age>60].name", `"Bo"`, nil},
		{"json_path_query_first", "$.people[? @.age>99].name", "missing", nil},
		{"json_path_query_first", "$.team.name", `"ops"`, nil},
		{"json_path_exists", "$.people[? @.age>70]", "true", nil},
		{"json_path_exists", "$.people[? @.age>80]", "false", nil},
		{"json_path_exists", "$['fav.color']", "true", nil},
		{"json_path_exists", "$.team.lead", "false", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.path, func(t *testing.T) {
			d := doc
			if tt.doc != nil {
				d = *tt.doc
			}
			got, err := callFn(t, nil, tt.fn, d, value.StringValue(tt.path))
			require.NoError(t, err)
			require.Equal(t, tt.want, jpShow(got))
		})
	}
	t.Run("too costly fails the row", func(t *testing.T) {
		_, err := callFn(t, nil, "json_path_query", jpDeep(300), value.StringValue("$..*..*..*..*..*..*"))
		require.ErrorIs(t, err, errJPTooMany)
	})
}

func jpShow(v value.Value) string {
	if v.IsMissing() {
		return "missing"
	}
	return string(v.AppendJSON(nil, 0))
}

// jpWide is an array of n arrays of n … depth levels deep, around 1.
func jpWide(n, depth int) value.Value {
	v := value.IntValue(1)
	for range depth {
		a := make([]value.Value, n)
		for i := range a {
			a[i] = v
		}
		v = value.ArrayValue(a)
	}
	return v
}

// jpFuzzSeeds are the paths the fuzz targets start from: the table tests'
// paths and a few that reach the limits.
func jpFuzzSeeds() []string {
	return []string{
		"$", "@", "$.store.book[0].title", "store.book[0].title", `$['store']["bicycle"]`, `$['a b']['c\'d']`,
		`$['\u00e9\n']`, "$.store.book[-1]", "$.store.*", "$..price", "$..[0]", "$..tags.*", "$.a[1:3]", "$.a[::-1]",
		"$.a[3:0:-2]", "$.a[0:9:0]", "$.a[0:9223372036854775807:1]", "$.a[1::9223372036854775807]",
		"$.a[::-9223372036854775808]", "$.a[0,2]", "$[0]['title','author']", "$..*..*..*",
		"$.b[?(@.price > 20)].title", "$.b[? @.price>20]", "$.b[?(@.price == 22.0)]", "$.b[?(@.price != 22)]",
		"$.b[?(@.price < $.limit)]", "$.b[?(!@.isbn)]", "$.b[?(@.sale == null)]", "$.b[?(@.sale == false)]",
		"$.b[?(@.c == 'f' && @.p < 20)]", `$.b[?(@.c == "r" || @.p > 22.5)]`, "$.b[?(!(@.p > 10))]",
		"$.b[?(@.a =~ /^[EH]/)]", "$.b[?(@.a =~ 'n$')]", "$.b[?(@.a =~ @.p)]", "$.b[?(@.t in ['A', 'D'])]",
		"$.b[?(@.p * 2 > 40)]", "$.b[?(@.p - 2 == 20)]", "$.b[?(@.p / 2 < 5)]", "$[?(@ + 1 > 9223372036854775807)]",
		"$.b[?(length(@.tags) == 2)]", "$.b[?(@.tags[*] == 'y')]", "$..[?(@.p > 22.5)]", "$[?($..* == $..*)]",
		"$[?(((((@)))))]", "$[?(!!!!@)]", "$[?(@ in [[[1]]])]", "$[?(@[?(@[?(@)])])]", "$[?(@ == 1e308 * 10)]",
	}
}

// jpFuzzDocs are the documents the parse target evaluates every path on.
var jpFuzzDocs = []string{
	jpDoc,
	`[0, 1, 2, 3, 4, -9223372036854775808, 9223372036854775807, 1.5e308, "a", "", null, true, [], {}]`,
	`{"a": {"a": {"a": {"a": [[[[{"a": 1}]]]]}}}}`,
	`"just a string"`,
	`null`,
}

// jpCheckEval evaluates p over doc and checks what every path must
// satisfy: no panic, no error other than the budget ones (with smaller
// limits, to keep the fuzzers fast), and a definite path selects what
// json_path_query's walk finds.
func jpCheckEval(t *testing.T, src string, p *jpPath, doc value.Value) {
	got, err := p.evalWithin(doc, doc, 1<<16, 1<<12)
	if err != nil {
		if err != errJPTooCostly && err != errJPTooMany {
			t.Fatalf("%q: unexpected error %v", src, err)
		}
		return
	}
	if !p.definite() {
		return
	}
	if len(got) > 1 {
		t.Fatalf("%q is definite but selects %d values", src, len(got))
	}
	cp := &compiledPath{expr: p, definite: true}
	for _, s := range p.segs {
		cp.steps = append(cp.steps, pathStep{key: s.name, index: s.index, isIndex: s.kind == jpIndex})
	}
	v, ok := cp.walk(doc)
	if ok != (len(got) == 1) || ok && !jpSame(v, got[0]) {
		t.Fatalf("%q: walk gives %s (%v), eval gives %d values", src, jpShow(v), ok, len(got))
	}
}

// jpSame is equality by JSON text, so that null matches null.
func jpSame(a, b value.Value) bool {
	return string(a.AppendJSON(nil, 0)) == string(b.AppendJSON(nil, 0))
}

// jpCheckError checks that a parse error ends with an offset inside src.
func jpCheckError(t *testing.T, src string, err error) {
	msg := err.Error()
	i := strings.LastIndex(msg, " at offset ")
	if i < 0 {
		t.Fatalf("%q: error %q has no offset", src, msg)
	}
	n, convErr := strconv.Atoi(msg[i+len(" at offset "):])
	if convErr != nil || n < 0 || n > len(src) {
		t.Fatalf("%q: error %q has a bad offset", src, msg)
	}
}

func FuzzJSONPathParse(f *testing.F) {
	for _, s := range jpFuzzSeeds() {
		f.Add(s)
	}
	var docs []value.Value
	for _, d := range jpFuzzDocs {
		v, err := parseJSON(d)
		require.NoError(f, err)
		docs = append(docs, v)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := parseJSONPath(src)
		if err != nil {
			jpCheckError(t, src, err)
			return
		}
		for _, doc := range docs {
			jpCheckEval(t, src, p, doc)
		}
	})
}

func FuzzJSONPathEval(f *testing.F) {
	for i, s := range jpFuzzSeeds() {
		f.Add(s, jpFuzzDocs[i%len(jpFuzzDocs)])
	}
	f.Add("$..a", `[[[[[[[[[[[[[[[[[[[[{"a":[1,{"a":2}]}]]]]]]]]]]]]]]]]]]]]`)
	f.Add("$.b[?(@.x =~ @.re)]", `{"b": [{"x": "ab", "re": "^a"}, {"x": "b", "re": "("}, {"x": "c", "re": 5}]}`)
	f.Fuzz(func(t *testing.T, src, doc string) {
		d, err := parseJSON(doc)
		if err != nil {
			return
		}
		p, err := parseJSONPath(src)
		if err != nil {
			jpCheckError(t, src, err)
			return
		}
		jpCheckEval(t, src, p, d)
	})
}
