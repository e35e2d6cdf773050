import ArgumentParser

@main
struct Skillbank: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skillbank",
        abstract: "SkillBank (技能银行): a vocational skills training and certification registry.",
        discussion: """
            The bank lives in one SQLite file (--db, SKILLBANK_DB, default ./skillbank.sqlite), created with its
            Standards and registry secret on first use, or in a PostgreSQL database (--store postgres://…,
            SKILLBANK_STORE_URL), migrated on first use, its secret files in the current folder unless given. Every command takes --json for machine-readable output.
            Exit codes: 0 ok, 64 usage, 65 bad data, 66 not found, 69 not allowed, 70 internal, 75 busy, 78 configuration.
            """,
        subcommands: [
            InitCommand.self, DemoCommand.self, ServeCommand.self, TokenCommand.self, InstitutionCommand.self, PersonCommand.self, CourseCommand.self,
            EnrolCommand.self, CompleteCommand.self, WithdrawCommand.self, CreditsCommand.self, RecordCommand.self,
            ImportCommand.self, AssessmentCommand.self, CertCommand.self, VerifyCommand.self, TrustListCommand.self,
            StatusListCommand.self, ConvertCommand.self, PathwayCommand.self, StatementCommand.self, RulesCommand.self,
            LogCommand.self, StandardsCommand.self, CheckCommand.self, EventsCommand.self, BackupCommand.self, RestoreCommand.self, MigrateStoreCommand.self,
            InsuranceCommand.self, SubsidyCommand.self, NoticesCommand.self, WebhookCommand.self, TalentCommand.self,
        ])
}
