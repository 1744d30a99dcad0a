package expr

import "unicode/utf8"

// likeMatcher matches SQL LIKE patterns: % is any run of characters
// (newlines included), _ is exactly one character, and \ escapes the next
// character. Everything else, '.' included, is literal.
type likeMatcher struct {
	tokens []likeToken
}

type likeToken struct {
	kind byte // 'l' literal rune, '_' one rune, '%' any run
	r    rune
}

func compileLike(p string) likeMatcher {
	var m likeMatcher
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		i += w
		switch r {
		case '%':
			if n := len(m.tokens); n == 0 || m.tokens[n-1].kind != '%' {
				m.tokens = append(m.tokens, likeToken{kind: '%'})
			}
		case '_':
			m.tokens = append(m.tokens, likeToken{kind: '_'})
		case '\\':
			if i < len(p) {
				r, w = utf8.DecodeRuneInString(p[i:])
				i += w
			}
			m.tokens = append(m.tokens, likeToken{kind: 'l', r: r})
		default:
			m.tokens = append(m.tokens, likeToken{kind: 'l', r: r})
		}
	}
	return m
}

// match reports whether s matches the whole pattern, with the classic
// greedy-with-backtrack-to-last-% algorithm (linear for typical patterns).
func (m likeMatcher) match(s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for si < len(s) {
		if ti < len(m.tokens) {
			t := m.tokens[ti]
			switch t.kind {
			case '%':
				starT, starS = ti, si
				ti++
				continue
			case '_':
				_, w := utf8.DecodeRuneInString(s[si:])
				si += w
				ti++
				continue
			default:
				r, w := utf8.DecodeRuneInString(s[si:])
				if r == t.r {
					si += w
					ti++
					continue
				}
			}
		}
		if starT < 0 {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		si = starS
		ti = starT + 1
	}
	for ti < len(m.tokens) && m.tokens[ti].kind == '%' {
		ti++
	}
	return ti == len(m.tokens)
}
