package function

import (
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
			got := p.eval(doc, doc)
			require.Equal(t, tt.want, string(value.ArrayValue(append([]value.Value{}, got...)).AppendJSON(nil, 0)))
		})
	}
}

func TestJSONPath_ParseErrors(t *testing.T) {
	tests := []struct{ path, err string }{
		{"", "empty path"},
		{"$.", "path ends after '.'"},
		{"$.[", "unexpected '['"},
		{"$[", "missing ']'"},
		{"$[0", "missing ']'"},
		{"$['a'", "missing ']'"},
		{"$['a", "unterminated string"},
		{"$[a]", "unexpected 'a' in brackets"},
		{"$[1:2,3]", "a slice cannot be part of a union"},
		{"$[?(@.a > )]", "unexpected ')' in filter"},
		{"$[?(@.a > 1]", "missing ')'"},
		{"$[?(@.a =~ /(/)]", "bad regular expression"},
		{"$[?(@.a == foo)]", `unknown word "foo"`},
		{"$ x", `unexpected "x"`},
		{"#", "a path starts with $ or @"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := parseJSONPath(tt.path)
			require.ErrorContains(t, err, tt.err)
		})
	}
}
