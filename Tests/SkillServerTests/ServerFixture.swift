import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SkillCore
import SkillCredentials
import SkillLedger
@testable import SkillServer
import SkillTestSupport

let standardsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Standards")

func uscc(_ first17: String) -> String { first17 + String(USCC.checkCharacter(for: first17)!) }
func residentID(_ n: Int) -> String {
    let first17 = "44030519900307" + String(format: "%03d", n)
    return first17 + String(PersonalID.residentCheckCharacter(for: first17)!)
}

/// A bank with two evaluators (A and B), a training school, two workers, a course, an
/// assessment and a certificate issued by A to worker 1, and a token for every role.
struct ServerFixture {
    let folder: URL
    let ledger: Bank
    let evaluatorA: Institution
    let evaluatorB: Institution
    let school: Institution
    let worker1: PersonSummary
    let worker2: PersonSummary
    let course: Course
    let assessmentA: Assessment
    let assessmentB: Assessment
    /// A level-5 assessment of evaluator A (no eligibility rule governs level 5).
    let assessmentA5: Assessment
    let certificate: CertificateSummary
    let certificateB: CertificateSummary
    /// An open enrolment of worker 2 in the school's course.
    let enrolment: Enrolment
    let tokens: [String: String]

    init(rateLimit: Int = 10_000, store: StoreKind = .sqlite) throws {
        folder = try ScratchFolder.make("skillbank-server")
        ledger = try store.openBank(in: folder, standards: standardsFolder)
        evaluatorA = try ledger.registration.registerInstitution(.init(name: "评价机构甲", kind: .social, code: uscc("51440000MJ0000001"), province: "44"))
        evaluatorB = try ledger.registration.registerInstitution(.init(name: "评价机构乙", kind: .employer, code: uscc("91440300MA5F8R002"), province: "44"))
        school = try ledger.registration.registerInstitution(.init(name: "培训学校", kind: .training, code: uscc("52440300MJ0000003"), province: "44"))
        for i in [evaluatorA, evaluatorB, school] {
            _ = try ledger.registration.accredit(i.id, occupation: "6-31-01-03", levels: [5, 4, 3], from: CalendarDate(iso: "2020-01-01"))
        }
        worker1 = try ledger.registration.registerPerson(name: "李明", idType: .resident, idNumber: residentID(1))
        worker2 = try ledger.registration.registerPerson(name: "王芳", idType: .resident, idNumber: residentID(2))
        course = try ledger.training.publishCourse(.init(institutionID: school.id, title: "低压电工", occupation: "6-31-01-03", level: 4, hours: 80))
        assessmentA = try ledger.issuance.scheduleAssessment(institution: evaluatorA.id, occupation: "6-31-01-03", level: 4)
        assessmentB = try ledger.issuance.scheduleAssessment(institution: evaluatorB.id, occupation: "6-31-01-03", level: 4)
        assessmentA5 = try ledger.issuance.scheduleAssessment(institution: evaluatorA.id, occupation: "6-31-01-03", level: 5)
        try ledger.issuance.enrolCandidate(assessment: assessmentA.id, person: worker1.id, override: "fixture")
        certificate = try ledger.issuance.recordResult(assessment: assessmentA.id, person: worker1.id, theory: 80, practical: 80).certificates[0]
        try ledger.issuance.enrolCandidate(assessment: assessmentB.id, person: worker2.id, override: "fixture")
        certificateB = try ledger.issuance.recordResult(assessment: assessmentB.id, person: worker2.id, theory: 80, practical: 80).certificates[0]
        enrolment = try ledger.training.enrol(person: worker2.id, course: course.id)
        var t: [String: String] = [:]
        t["operator"] = try ledger.tokens.create(role: .operator).1
        t["institutionA"] = try ledger.tokens.create(role: .institution, institution: evaluatorA.id).1
        t["institutionB"] = try ledger.tokens.create(role: .institution, institution: evaluatorB.id).1
        t["school"] = try ledger.tokens.create(role: .institution, institution: school.id).1
        t["worker1"] = try ledger.tokens.create(role: .worker, person: worker1.id).1
        t["worker2"] = try ledger.tokens.create(role: .worker, person: worker2.id).1
        tokens = t
        self.rateLimit = rateLimit
    }

    let rateLimit: Int

    var configuration: ServerConfiguration { ServerConfiguration(publicRequestsPerMinute: rateLimit) }

    /// - Parameter bank: another view of the same store (one with its own clock), or the fixture's.
    func application(logger: Logger = ServerFixture.quietLogger, bank: Bank? = nil) -> some ApplicationProtocol {
        Application(router: SkillServer.router(bank: bank ?? ledger, configuration: configuration, logger: logger), logger: logger)
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()
}

extension TestClientProtocol {
    /// A request with an optional bearer token and JSON (or raw) body.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, raw: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        // A raw body is an upload unless the caller says otherwise (forms do).
        if raw != nil, headers[.contentType] == nil { headers[.contentType] = "text/csv" }
        let body = (json ?? raw).map { ByteBuffer(string: $0) }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body)
        ReplyConformance.check(method, uri, response)
        return response
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONValue? { try? JSONParser().parse(Array(body.readableBytesView)) }
}
