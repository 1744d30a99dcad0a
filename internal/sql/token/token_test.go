package token_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/sql/token"
)

func TestToken_Lookup(t *testing.T) {
	tests := []struct {
		ident string
		want  token.Token
	}{
		{"select", token.SELECT},
		{"SeLeCt", token.SELECT},
		{"and", token.AND},
		{"TRUE", token.TRUE},
		{"bigint", token.XBIGINT},
		{"ms", token.MS},
		{"streams", token.STREAMS},
		{"foo", token.IDENT},
		{"null", token.IDENT},
	}
	for _, tc := range tests {
		t.Run(tc.ident, func(t *testing.T) {
			require.Equal(t, tc.want, token.Lookup(tc.ident))
		})
	}
}

func TestToken_Classes(t *testing.T) {
	require.True(t, token.IDENT.IsLiteral())
	require.True(t, token.FALSE.IsLiteral())
	require.False(t, token.ADD.IsLiteral())
	require.True(t, token.ADD.IsOperator())
	require.True(t, token.NOTLIKE.IsOperator())
	require.False(t, token.LPAREN.IsOperator())
	require.True(t, token.SELECT.IsKeyword())
	require.True(t, token.MS.IsKeyword())
	require.False(t, token.AND.IsKeyword())
	require.True(t, token.SS.IsTimeUnit())
	require.False(t, token.XBYTEA.IsTimeUnit())

	for _, tok := range []token.Token{token.SELECT, token.AS, token.DEFAULT, token.INVISIBLE, token.AND, token.TRUE, token.PARTITION} {
		require.True(t, tok.IsReserved(), tok.String())
	}
	for _, tok := range []token.Token{token.STREAM, token.TABLE, token.WITH, token.XSTRING, token.MI, token.CREATE, token.IDENT} {
		require.False(t, tok.IsReserved(), tok.String())
	}
}

func TestToken_Precedence(t *testing.T) {
	require.Equal(t, 1, token.OR.Precedence())
	require.Equal(t, 2, token.AND.Precedence())
	require.Equal(t, 3, token.NEQ.Precedence())
	require.Equal(t, 3, token.NOTBETWEEN.Precedence())
	require.Equal(t, 4, token.BITXOR.Precedence())
	require.Equal(t, 5, token.BITAND.Precedence())
	require.Equal(t, 0, token.LPAREN.Precedence())
}

func TestToken_String(t *testing.T) {
	require.Equal(t, "->", token.ARROW.String())
	require.Equal(t, "BIGINT", token.XBIGINT.String())
	require.Equal(t, "token(-1)", token.Token(-1).String())
	p := token.Pos{Offset: 3, Line: 2, Col: 4}
	require.Equal(t, "line 2, col 4", p.String())
	require.True(t, p.IsValid())
	require.False(t, token.Pos{}.IsValid())
}
