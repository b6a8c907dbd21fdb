// Package procedure is the Chinese criminal procedure as data, and an engine
// that runs case histories against it.
//
// The rules are the domain reference shared/domain/criminal-procedure.md
// turned into JSON files embedded in the binary (rules/*.json):
//
//   - stages.json: the stages of machine A (§2.1);
//   - machine-a.json: transitions A01–A45 (§2.2) with their from and to stages,
//     actor, condition, basis, the article a refusal cites, the clocks of the
//     doc and the clocks each one starts and stops;
//   - machine-b.json: the custody states and transitions B01–B10 of machine B
//     (§2.3, numbered in the doc's order);
//   - events.json: the named events (DETAINED, APPRAISAL_STARTED …);
//   - limits.json: every row T01–T76 of the time-limit table (§1.1) with its
//     number, sub-limits, extension options (amount, approver, condition),
//     whether it is a custody period, its pauses and restarts;
//   - redflags.json: the supervision red flags R01–R22 (§5.2).
//
// Every rule keeps its ID, its article in the doc's compact form ("CPL
// 172(1)") and the Chinese citation Citation derives from it (刑事诉讼法第一百七十二条第一款),
// plus the original text where the doc quotes it. LoadRules validates the
// whole: unique IDs, known stages and clocks, an article and a citation for
// every rule.
//
// Periods are counted as §0.2 says (Calendar.Count, Due): the trigger day is
// not counted, months follow SPC 202(1), and only a period that is not a
// custody period moves past a holiday (CPL 105(4)). The holidays are the
// State Council's published schedules for 2019–2026 (holidays/*.json), with a
// stated fallback for other years.
//
// Engine replays a case history's events (Event) and answers the stage of
// each case, the custody of each person, the legal next transitions (Next)
// and every clock with its due date and status (Clocks). An event the law does
// not allow is refused with a *casegraph.Error of code EINVALIDTRANSITION
// whose message cites the law in Chinese.
//
// docs/procedure.md describes the encoding, the counting rules, the calendar
// and the open items not encoded as hard rules.
package procedure
