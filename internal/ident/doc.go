// Package ident validates and parses the Chinese identifiers that link case
// records across the police, the procuratorate and the courts.
//
// # Resident identity numbers (公民身份号码)
//
// ParseIDNumber checks an 18-character number against the national standard
// GB 11643-1999 Citizen identification number《公民身份号码》: a 6-digit
// address code (地址码) whose first two digits must be a province-level
// code of GB/T 2260 Codes for the administrative divisions of the PRC
// 《中华人民共和国行政区划代码》 (11–15, 21–23, 31–37, 41–46, 50–54, 61–65,
// 71, 81, 82); an 8-digit birth date code (出生日期码, YYYYMMDD as in
// GB/T 7408) that must be a real calendar date from 1900 up to today in
// China; a 3-digit sequence code (顺序码) whose last digit is odd for men
// and even for women; and a check digit (校验码) computed with
// ISO 7064:1983 MOD 11-2. The county part of the address code is not looked
// up, because codes of abolished counties stay valid for life. CheckDigit
// computes the check digit on its own.
//
// First-generation 15-digit numbers (GB 11643-1989: no century in the birth
// date, no check digit) are refused by ParseIDNumber. ConvertLegacyIDNumber
// derives their 18-character form by the common, not normative, practice of
// inserting 19 before the birth date and appending the check digit; store
// the 15-digit number as written beside the derived one.
//
// Permanent residence cards for foreigners (外国人永久居留身份证) and
// residence permits for residents of Hong Kong, Macao and Taiwan
// (港澳台居民居住证) follow other rules and are not handled.
//
// # Court case numbers (案号)
//
// ParseCourtCaseNo reads a criminal case number laid out as the Supreme
// People's Court's Provisions on court case numbers
// 最高人民法院《关于人民法院案件案号的若干规定》(法〔2015〕137号, in force
// 2016-01-01, amended by 法〔2018〕335号) prescribe:
// （收案年度 year of receipt）法院代字 court code, 专门审判代字
// specialised-trial code (optional), 类型代字 type code, 案件编号 sequence
// number and 号, for example （2024）浙0212刑初123号. The type code must be a
// criminal one from the Standard on case types and their codes
// 《人民法院案件类型及其代字标准》, such as 刑初 (first instance) or 刑终
// (second instance). Pre-2016 numbers with 字第, such as
// （2014）浙甬刑初字第123号, are accepted as legacy numbers. Canonical
// writes the storage form with full-width brackets （）.
//
// The court code is checked for shape only: 最高法, or one of the 高院
// characters (the 行政区划简称 of the provinces plus 军 and 兵) optionally
// followed by 2 or 4 digits. Whether a court with that code exists needs the
// published court code table (法院代字表), which this package does not embed.
//
// # Not handled
//
// Procuratorate document numbers (检察院文号, such as 渝巴检刑诉〔2016〕585号)
// and police numbers (公安机关文书文号, 案件编号) follow no published
// grammar; treat them as opaque strings.
//
// # Errors
//
// Every parser returns an *Error whose message names the identifier,
// repeats the value and says what is wrong and where, and whose Kind and
// Pos let a program react to the failure.
package ident
