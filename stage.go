package casegraph

// Stage is a case's procedural stage (machine A of
// shared/domain/criminal-procedure.md §2.1).
type Stage string

// Stages of a case, with the Chinese name each one carries in the statute.
const (
	StageReceived             Stage = "RECEIVED"                    // 受案
	StageFilingReview         Stage = "FILING_REVIEW"               // 立案审查
	StageNotFiled             Stage = "NOT_FILED"                   // 不予立案
	StageTransferred          Stage = "TRANSFERRED"                 // 移送管辖
	StageInvestigating        Stage = "INVESTIGATING"               // 立案侦查
	StageArrestReview         Stage = "ARREST_REVIEW"               // 审查批准逮捕
	StageCaseWithdrawn        Stage = "CASE_WITHDRAWN"              // 撤销案件
	StageProsecutionReview    Stage = "PROSECUTION_REVIEW"          // 审查起诉
	StageSupplementary        Stage = "SUPPLEMENTARY_INVESTIGATION" // 退回补充侦查
	StageNotProsecuted        Stage = "NOT_PROSECUTED"              // 不起诉
	StageConditionalProbation Stage = "CONDITIONAL_PROBATION"       // 附条件不起诉考验期
	StageIndicted             Stage = "INDICTED"                    // 提起公诉
	StageTrialIntake          Stage = "TRIAL_INTAKE"                // 一审受理审查
	StageFirstInstance        Stage = "FIRST_INSTANCE"              // 一审
	StageFirstInstanceJudged  Stage = "FIRST_INSTANCE_JUDGED"       // 一审已宣判未生效
	StageSecondInstance       Stage = "SECOND_INSTANCE"             // 二审
	StageDeathReview          Stage = "DEATH_REVIEW"                // 死刑复核
	StageEffective            Stage = "EFFECTIVE"                   // 判决生效
	StageExecution            Stage = "EXECUTION"                   // 交付执行
	StageRetrial              Stage = "RETRIAL"                     // 再审
	StageClosed               Stage = "CLOSED"                      // 结案
)

// Stages lists every stage in the order of §2.1.
var Stages = []Stage{
	StageReceived, StageFilingReview, StageNotFiled, StageTransferred, StageInvestigating,
	StageArrestReview, StageCaseWithdrawn, StageProsecutionReview, StageSupplementary,
	StageNotProsecuted, StageConditionalProbation, StageIndicted, StageTrialIntake,
	StageFirstInstance, StageFirstInstanceJudged, StageSecondInstance, StageDeathReview,
	StageEffective, StageExecution, StageRetrial, StageClosed,
}

// Valid reports whether s is one of Stages.
func (s Stage) Valid() bool {
	for _, v := range Stages {
		if s == v {
			return true
		}
	}
	return false
}
