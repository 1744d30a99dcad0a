// Package parser reads Kuiper's SQL dialect (the eKuiper dialect) into the
// syntax tree of package ast.
//
// Entry points are ParseStatement, ParseStatements (semicolon-separated),
// ParseSelect and ParseExpr, with Must* variants that panic. Errors are
// always *ParseError and print as "found X, expected Y at line L, col C"
// or "<msg> at line L, col C". The parser is pure: it never looks up
// functions, streams or types; the planner's binder does.
//
// The parser is recursive descent with one method per production, binary
// operators are parsed by precedence climbing (token.Precedence), and
// statements are chosen from a table keyed by their leading token.
//
// # Grammar
//
//	statement   = select | create | drop | describe | explain | show .
//	statements  = [ statement ] { ";" [ statement ] } .
//
//	select      = "SELECT" field { "," field } "FROM" table { join }
//	              [ "WHERE" expr ] [ "GROUP" "BY" groupItem { "," groupItem } ]
//	              [ "HAVING" expr ] [ "ORDER" "BY" sortList ] [ "LIMIT" integer ] .
//	field       = expr [ "AS" name ] [ "INVISIBLE" ] .
//	table       = sourceName [ [ "AS" ] name ] .
//	join        = ( "INNER" | "LEFT" | "RIGHT" | "FULL" | "CROSS" ) "JOIN" table [ "ON" expr ] .
//	groupItem   = window | expr .          (* at most one window *)
//	sortList    = expr [ "ASC" | "DESC" ] { "," expr [ "ASC" | "DESC" ] } .
//
//	window      = ( ( "TUMBLINGWINDOW" "(" unit "," int ")" )
//	              | ( "HOPPINGWINDOW" | "SESSIONWINDOW" ) "(" unit "," int "," int ")"
//	              | "SLIDINGWINDOW" "(" unit "," int [ "," integer ] ")"
//	              | "COUNTWINDOW" "(" int [ "," int ] ")"
//	              | "STATEWINDOW" "(" expr [ "," expr ] ")" )
//	              [ filter ] [ over ] .     (* window names in any case *)
//	unit        = "DD" | "HH" | "MI" | "SS" | "MS" .
//	int         = integer .                 (* positive *)
//	filter      = "FILTER" "(" "WHERE" expr ")" .
//	over        = "OVER" "(" [ "PARTITION" "BY" expr { "," expr } ]
//	              [ "ORDER" "BY" sortList ] [ "WHEN" expr ] ")" .   (* at least one part *)
//
//	expr        = unary { binop unary } .  (* precedence climbing, see below *)
//	binop       = "OR" | "AND" | "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//	              | "+" | "-" | "|" | "^" | "*" | "/" | "%" | "&" .
//	            (* plus the special forms, at comparison level: *)
//	            (*   x [NOT] IN "(" expr { "," expr } ")"  |  x [NOT] IN addExpr *)
//	            (*   x [NOT] BETWEEN addExpr AND addExpr  |  x [NOT] LIKE addExpr *)
//	unary       = "-" number | ( "-" | "+" ) unary | "NOT" compareExpr | postfix .
//	postfix     = primary { "." memberName | "->" memberName | "[" index "]" }
//	            | ident "." "*" [ except ] [ replace ] .
//	index       = expr | [ expr ] ":" [ expr ] .
//	primary     = integer | number | string | "TRUE" | "FALSE"
//	            | "(" expr ")" | case | wildcard | call | name .
//	wildcard    = "*" [ except ] [ replace ] .
//	except      = "EXCEPT" "(" name { "," name } ")" .
//	replace     = "REPLACE" "(" expr "AS" name { "," expr "AS" name } ")" .
//	call        = name "(" [ expr { "," expr } ] ")" [ filter ] [ over ] .
//	case        = "CASE" [ expr ] ( "WHEN" expr "THEN" expr ) { "WHEN" expr "THEN" expr }
//	              [ "ELSE" expr ] "END" .
//
//	create      = "CREATE" kind sourceName "(" [ column { "," column } ] ")"
//	              "WITH" "(" [ option { [ "," ] option } ] ")" .
//	column      = name type [ "DEFAULT" literal ] .
//	type        = "BIGINT" | "FLOAT" | "STRING" | "DATETIME" | "BOOLEAN" | "BYTEA"
//	            | "ARRAY" "(" type ")" | "STRUCT" "(" column { "," column } ")" .
//	option      = word "=" string .        (* key as written, any case *)
//	literal     = string | "TRUE" | "FALSE" | [ "-" ] ( integer | number ) .
//	drop        = "DROP" kind sourceName .
//	describe    = "DESCRIBE" kind sourceName .
//	explain     = "EXPLAIN" kind sourceName .
//	show        = "SHOW" ( "STREAMS" | "TABLES" ) .
//	kind        = "STREAM" | "TABLE" .
//
// Operator precedence, from loosest to tightest: OR; AND; NOT; comparisons
// with IN, BETWEEN and LIKE; + - | ^; * / % &; unary - and +; member
// access, indexes and slices. Binary operators are left-associative.
// "NOT a = b" is NOT (a = b) and "NOT a AND b" is (NOT a) AND b. After a
// closed IN list only comparison-level or looser operators may follow.
// "->" and "." are postfix member access, tighter than any binary
// operator ("a * b->c" is a * (b->c)).
//
// # Lexical rules
//
// Keywords are case-insensitive. Comments are "-- to end of line" and
// "/* ... */". Identifiers are ASCII letters, digits and '_', not starting
// with a digit; anything else (spaces, '-', Unicode, reserved words) needs
// backquotes, where a doubled backquote stands for one. Strings use '...'
// or "..." with Go backslash escapes (\n, \t, \\, \', \", \xHH, \uHHHH).
// Numbers are integers (64-bit) or decimals with an optional exponent
// (1e20, 1.5E-3, .5). A minus directly before a number is part of the
// literal (-1, a * -1).
//
// Only the reserved words (token.IsReserved: SELECT, FROM, JOIN, LEFT,
// INNER, ON, WHERE, GROUP, ORDER, HAVING, BY, ASC, DESC, AND, OR, CASE,
// WHEN, THEN, ELSE, END, IN, NOT, BETWEEN, LIKE, OVER, PARTITION, RIGHT,
// FULL, CROSS, LIMIT, FILTER, EXCEPT, REPLACE, INVISIBLE, DEFAULT, plus AS,
// TRUE and FALSE) are refused as names. Other keywords (STREAM, TABLE,
// WITH, type names, the time units DD HH MI SS MS, ...) are plain names
// everywhere except where their keyword meaning is required: a time unit
// is a time unit only as the first argument of a time window. Any word,
// reserved or not, may be a WITH option key.
//
// A stream name (sourceName) in FROM, JOIN and the DDL statements is read
// raw: a run of letters, digits, '_', '/', '#' and '+' without spaces, so
// MQTT-like names such as topic/sensor1 or a/+/# work; reserved words and
// other names need backquotes.
//
// # Choices
//
//   - There is no NULL literal: eKuiper has none (its lexer has no such
//     token, missing and null values come from data and are tested with
//     isnull()). "null" and "nil" are ordinary names.
//   - "a.b" is a MemberExpr{X: Ident a, Name: b}; whether a names a stream
//     is for the binder to decide. "s.*" is a qualified Wildcard.
//   - Window calls become ast.WindowExpr only as a top-level GROUP BY item;
//     elsewhere a call named like a window is an ordinary Call. Their
//     arguments are checked here because they are syntax (a time unit and
//     positive integer literals; a sliding delay may be 0; a COUNTWINDOW
//     step may not exceed its length). dedup_trigger is an ordinary call.
//   - A bare JOIN and OUTER are rejected, as in eKuiper. ON is optional,
//     except that CROSS JOIN takes none. The FROM alias may omit AS.
//   - An alias on "*" is rejected. INVISIBLE may follow any field.
//   - WITH option values are strings; a missing comma between two options
//     is tolerated as in eKuiper; WITH is required after the column list.
//   - Accepted beyond eKuiper: "<>", NOT (expr), unary minus before names
//     and parentheses, exponent literals, time-unit words as names, FILTER
//     on any call, ORDER BY expressions.
//   - Refused: "x[]" (eKuiper reads it as x[0:]), projections such as
//     friends[*]->first and ops->*->numArgs (unsupported in eKuiper too),
//     unquoted non-ASCII names, integers beyond 64 bits.
package parser
