import ArgumentParser
import SkillCore
import SkillLedger

struct CourseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "course", abstract: "Publish and list courses.", subcommands: [Publish.self, List.self, Show.self])

    struct Publish: BankCommand {
        static let configuration = CommandConfiguration(commandName: "publish", abstract: "Publish a course inside the institution's accreditation scope; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The institution id.") var institution: String
        @Option(help: "The course title.") var title: String
        @Option(help: "Occupation code, e.g. 6-31-01-03.") var occupation: String
        @Option(help: "Target five-level code: 5 = 初级工 … 1 = 高级技师.") var level: Int
        @Option(help: "Learning hours.") var hours: Int
        @Option(help: "Places (default unlimited).") var capacity: Int?
        @Option(help: "Framework whose hours-per-credit rule applies (default: the Standards default, hkqf).") var framework: String?
        @Option(help: "First day, YYYY-MM-DD (default today).") var starts: String?
        @Option(help: "Last day, YYYY-MM-DD (default open).") var ends: String?
        @Flag(help: "Taught online (its completions convert under the online-course caps).") var online = false

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let course = try bank.training.publishCourse(.init(
                institutionID: institution, title: title, occupation: occupation, level: level, hours: hours, capacity: capacity,
                framework: framework, startsOn: try starts.map { t throws(SkillError) in try CalendarDate.parse(t, field: "--starts") },
                endsOn: try ends.map { t throws(SkillError) in try CalendarDate.parse(t, field: "--ends") }, isOnline: online))
            Terminal.note("published \(course.title): \(course.hours) h = \(Credits.format(course.creditTenths)) credits (\(course.framework))")
            try output.emit(course.json) { course.id }
        }
    }

    struct List: BankCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List courses.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this institution's courses.") var institution: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let all = try bank.training.courses(institutionID: institution)
            try output.emit(.array(all.map(\.json))) {
                Table.render(["ID", "OCCUPATION", "LEVEL", "HOURS", "CREDITS", "PLACES", "STARTS", "TITLE"], all.map { (c: Course) -> [String] in
                    let places = "\(c.enrolled)/" + (c.capacity.map(String.init) ?? "-")
                    return [c.id, c.occupation, String(c.level), String(c.hours), Credits.format(c.creditTenths), places,
                            c.startsOn.description, c.title]
                })
            }
        }
    }

    struct Show: BankCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one course.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The course id.") var course: String
        static let positionals: Set<String> = ["course"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let c = try bank.training.course(course)
            try output.emit(c.json) {
                let occupation = bank.standards.occupation(c.occupation)
                let level = bank.standards.level(code: c.level)
                return """
                    \(c.id)  \(c.title)
                    institution: \(c.institutionID)
                    occupation: \(c.occupation) \(occupation?.zh ?? "")   level: \(level?.display ?? String(c.level))
                    hours: \(c.hours) → \(Credits.format(c.creditTenths)) credits (\(c.framework))
                    dates: \(c.startsOn) – \(c.endsOn?.description ?? "open")   places: \(c.enrolled)/\(c.capacity.map(String.init) ?? "unlimited")
                    """
            }
        }
    }
}

struct EnrolCommand: BankCommand {
    static let configuration = CommandConfiguration(commandName: "enrol", abstract: "Enrol a worker in a course; prints the enrolment id.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The person id.") var person: String
    @Option(help: "The course id.") var course: String

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let e = try bank.training.enrol(person: person, course: course)
        try output.emit(e.json) { e.id }
    }
}

struct CompleteCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete", abstract: "Record that a worker completed (credits are deposited) or failed a course.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The enrolment id (enr_…).") var enrolment: String
    static let positionals: Set<String> = ["enrolment"]
    @Flag(help: "Record a failure instead (no credits).") var failed = false

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let (e, credited) = try bank.training.close(enrolment: enrolment, as: failed ? .failed : .completed)
        var value = e.json.objectValue!
        value["credited"] = .string(Credits.format(credited))
        try output.emit(.object(value)) { "\(e.id) \(e.status.rawValue); \(Credits.format(credited)) credits deposited" }
    }
}

struct WithdrawCommand: BankCommand {
    static let configuration = CommandConfiguration(commandName: "withdraw", abstract: "Withdraw a worker from a course (frees the place).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The enrolment id.") var enrolment: String
    static let positionals: Set<String> = ["enrolment"]

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let (e, _) = try bank.training.close(enrolment: enrolment, as: .withdrawn)
        try output.emit(e.json) { "\(e.id) withdrawn" }
    }
}
