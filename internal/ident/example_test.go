package ident_test

import (
	"errors"
	"fmt"

	"github.com/casegraph/casegraph/internal/ident"
)

func ExampleParseIDNumber() {
	n, err := ident.ParseIDNumber("11010519491231002x")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Number, n.Region, n.BirthDate.Format("2006-01-02"), n.Gender)

	_, err = ident.ParseIDNumber("33020319900101123X")
	fmt.Println(err)
	var e *ident.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Pos)
	}
	// Output:
	// 11010519491231002X 110105 1949-12-31 F
	// idNumber 33020319900101123X fails its check digit (expected 6)
	// check digit 18
}

func ExampleParseCourtCaseNo() {
	c, err := ident.ParseCourtCaseNo("(2024)浙0212刑初123号")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Canonical())
	fmt.Println(c.Year, c.Court, c.Type, c.Seq)
	fmt.Println(c.Proceeding(), "/", c.CourtLevel(), "/", c.TypeName())

	_, err = ident.ParseCourtCaseNo("（2024）浙0212刑X123号")
	var e *ident.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Pos)
	}
	// Output:
	// （2024）浙0212刑初123号
	// 2024 浙0212 刑初 123
	// first instance (一审) / basic court (基层人民法院) / 刑事一审案件
	// type code 12
}
