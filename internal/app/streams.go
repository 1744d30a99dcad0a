package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
)

// streamService adapts the catalog to the REST layer.
type streamService struct {
	cat *catalog.Catalog
}

var _ server.StreamService = (*streamService)(nil)

func astKind(k server.Kind) ast.StreamKind {
	if k == server.Tables {
		return ast.KindTable
	}
	return ast.KindStream
}

func title(k ast.StreamKind) string {
	if k == ast.KindTable {
		return "Table"
	}
	return "Stream"
}

func (s *streamService) Exec(kind server.Kind, sql string) (any, error) {
	stmt, err := parser.ParseStatement(sql)
	if err != nil {
		return nil, errs.With(errs.Parser, err)
	}
	switch st := stmt.(type) {
	case *ast.CreateStreamStatement:
		d, err := catalog.FromStatement(st, sql)
		if err != nil {
			return nil, err
		}
		if err := s.cat.Create(d); err != nil {
			if errors.Is(err, catalog.ErrExists) {
				return nil, errs.New(errs.StreamTable, fmt.Sprintf("Create %s fails: Item %s already exists.", strings.ToLower(title(d.Kind)), d.Name))
			}
			return nil, err
		}
		return fmt.Sprintf("%s %s is created.", title(d.Kind), d.Name), nil
	case *ast.DropStatement:
		if err := s.cat.Drop(st.Kind, st.Name); err != nil {
			return nil, err
		}
		return fmt.Sprintf("%s %s is dropped.", title(st.Kind), st.Name), nil
	case *ast.DescribeStatement:
		d, err := s.cat.Get(st.Kind, st.Name)
		if err != nil {
			return nil, err
		}
		return d.Describe(), nil
	case *ast.ExplainStatement:
		d, err := s.cat.Get(st.Kind, st.Name)
		if err != nil {
			return nil, err
		}
		return d.SQL, nil
	case *ast.ShowStatement:
		return s.cat.List(st.Kind), nil
	}
	return nil, errs.New(errs.StreamTable, fmt.Sprintf("%s is not a stream or table statement", strings.SplitN(sql, " ", 2)[0]))
}

func (s *streamService) List(kind server.Kind) ([]string, error) {
	return s.cat.List(astKind(kind)), nil
}

func (s *streamService) Details(kind server.Kind) ([]server.StreamDetail, error) {
	defs := s.cat.Defs(astKind(kind))
	out := make([]server.StreamDetail, len(defs))
	for i, d := range defs {
		out[i] = server.StreamDetail{Name: d.Name, Type: d.Props.Type, Format: d.Props.Format}
	}
	return out, nil
}

func (s *streamService) Describe(kind server.Kind, name string) (any, error) {
	d, err := s.cat.Get(astKind(kind), name)
	if err != nil {
		return nil, err
	}
	return d.Describe(), nil
}

func (s *streamService) Replace(kind server.Kind, name, sql string) error {
	d, err := catalog.Parse(sql)
	if err != nil {
		return err
	}
	if d.Name != name {
		return errs.New(errs.StreamTable, fmt.Sprintf("the statement defines %s, not %s", d.Name, name))
	}
	if d.Kind != astKind(kind) {
		return errs.New(errs.StreamTable, fmt.Sprintf("the statement defines a %s, not a %s", strings.ToLower(d.Kind.String()), strings.ToLower(astKind(kind).String())))
	}
	return s.cat.Replace(d)
}

func (s *streamService) Drop(kind server.Kind, name string) error {
	return s.cat.Drop(astKind(kind), name)
}

func (s *streamService) Schema(kind server.Kind, name string) (any, error) {
	d, err := s.cat.Get(astKind(kind), name)
	if err != nil {
		return nil, err
	}
	return d.SchemaJSON(), nil
}
