import Foundation
import SkillCore
import SkillStore

/// Policy push (政策推送): notices in a worker's inbox, written in the same unit of work as
/// the event that caused them. A notice holds ids and figures; its Chinese and English text is
/// written when it is read, and says what changed and what to do next.
public struct Notices: Sendable {
    let context: BankContext

    /// A notice as shown: the stored notice and its text.
    public struct Shown: Sendable {
        public let notice: Notice
        public let zh: String
        public let en: String

        public var json: JSONValue {
            [
                "id": .string(notice.id), "kind": .string(notice.kind.rawValue), "created_at": .string(notice.createdAt),
                "read": .bool(notice.readAt != nil), "read_at": .optional(notice.readAt), "zh": .string(zh), "en": .string(en),
                "facts": .object(notice.facts),
            ]
        }
    }

    // MARK: Writing (inside the caller's unit of work)

    @discardableResult
    func add(_ tx: any StoreTransaction, person: String, _ kind: NoticeKind, key: String, facts: [String: JSONValue], at date: Date, trigger: String) throws -> Bool {
        try tx.notices.add(Notice(id: IdentifierKind.notice.make(at: date), personID: person, kind: kind, key: key, facts: facts,
                                  createdAt: Timestamp.format(date)), eventID: trigger)
    }

    /// Notices for what a worker has newly become eligible for: to sit a higher level, for a
    /// professional title, for a subsidy. Each is written once per worker (its key), so calling
    /// this after every change tells the worker only what is new.
    func refresh(_ tx: any StoreTransaction, person: String, at date: Date, trigger: String) throws {
        let record = try context.learningRecord(tx, person: person, asOf: date)
        for outcome in ConversionEngine(standards: context.standards).evaluate(record) where outcome.applies {
            switch outcome.rule.family {
            case .assessmentEligibility:
                guard let level = outcome.rule.level, let occupation = outcome.target?.split(separator: " ").first.map(String.init) else { continue }
                // Only a level above every one held in the occupation is news (five-level codes: 1 is the highest).
                if record.certificates.contains(where: { $0.isActive && $0.occupation == occupation && ($0.level ?? 9) <= level }) { continue }
                try add(tx, person: person, .eligibleLevel, key: "eligible-level:\(occupation):\(level)",
                        facts: ["occupation": .string(occupation), "level": .int(level), "rule": .string(outcome.rule.id),
                                "because": .array(outcome.because.map(JSONValue.string))], at: date, trigger: trigger)
            case .titleEligibility:
                try add(tx, person: person, .eligibleTitle, key: "eligible-title:\(outcome.rule.id)",
                        facts: ["rule": .string(outcome.rule.id), "title": .optional(outcome.rule.title),
                                "because": .array(outcome.because.map(JSONValue.string))], at: date, trigger: trigger)
            default: continue
            }
        }
        try subsidyOptions(tx, person: person, at: date, trigger: trigger, record: record)
    }

    /// Notices for every subsidy the worker could claim now (worker-paid programmes only).
    func subsidyOptions(_ tx: any StoreTransaction, person: String, at date: Date, trigger: String, record: LearningRecord? = nil) throws {
        let subsidies = Subsidies(context: context)
        guard !context.standards.subsidies.isEmpty else { return }
        let facts = try subsidies.facts(tx, person: person, at: date, record: record)
        for decision in subsidies.engine.options(facts) where decision.applies && subsidies.engine.programme(decision.programme)?.payee == .worker {
            try add(tx, person: person, .eligibleSubsidy, key: "eligible-subsidy:\(decision.programme):\(decision.evidence)",
                    facts: ["programme": .string(decision.programme), "evidence": .string(decision.evidence), "amount_fen": .int(decision.amountFen ?? 0),
                            "number": .optional(facts.certificates.first { $0.id == decision.evidence }?.number),
                            "insurance_as_of": .optional(decision.insuranceAsOf?.description)], at: date, trigger: trigger)
        }
    }

    /// Notices for newly issued certificates, then what each holder is newly eligible for.
    func issued(_ tx: any StoreTransaction, _ certificates: [CertificateSummary], events: [String: String], at date: Date) throws {
        for c in certificates {
            try add(tx, person: c.personID, .certificateIssued, key: "certificate-issued:\(c.id)", facts: Self.facts(c), at: date, trigger: events[c.id] ?? "")
        }
        var seen: Set<String> = []
        for c in certificates where seen.insert(c.personID).inserted {
            try refresh(tx, person: c.personID, at: date, trigger: events[c.id] ?? "")
        }
    }

    static func facts(_ c: CertificateSummary) -> [String: JSONValue] {
        ["certificate": .string(c.id), "number": .string(c.number), "occupation": .string(c.occupation), "level": c.level.map(JSONValue.int) ?? .null]
    }

    /// A notice for a certificate's status change.
    func statusChanged(_ tx: any StoreTransaction, _ c: CertificateSummary, to status: CertificateStatus, reason: String?, at date: Date, trigger: String) throws {
        let kind: NoticeKind = switch status {
        case .revoked: .certificateRevoked
        case .suspended: .certificateSuspended
        case .active: .certificateReinstated
        }
        var facts = Self.facts(c)
        facts["reason"] = .optional(reason)
        try add(tx, person: c.personID, kind, key: "\(kind.rawValue):\(c.id):\(trigger)", facts: facts, at: date, trigger: trigger)
    }

    /// A notice for credits converted or a conversion reversed.
    func conversion(_ tx: any StoreTransaction, _ c: ConversionRecord, reversed reason: String?, at date: Date, trigger: String) throws {
        let kind: NoticeKind = reason == nil ? .creditsConverted : .conversionReversed
        try add(tx, person: c.personID, kind, key: "\(kind.rawValue):\(c.id)",
                facts: ["conversion": .string(c.id), "programme": .string(c.programme), "evidence": .string(c.evidence),
                        "credits": .string(ConversionEngine.format(c.tenths)), "reason": .optional(reason)], at: date, trigger: trigger)
    }

    /// A notice for a decision on a subsidy claim (or its undoing after a revocation).
    func claimDecided(_ tx: any StoreTransaction, _ claim: SubsidyClaim, at date: Date, trigger: String) throws {
        let kind: NoticeKind
        switch claim.status {
        case .approved: kind = .claimApproved
        case .rejected: kind = .claimRejected
        case .cancelled: kind = .claimCancelled
        case .recoveryDue: kind = .claimRecoveryDue
        case .pending, .paid: return
        }
        try add(tx, person: claim.personID, kind, key: "\(kind.rawValue):\(claim.id)",
                facts: ["claim": .string(claim.id), "programme": .string(claim.programme), "evidence": .string(claim.evidence),
                        "amount_fen": .int(claim.amountFen), "reason": .optional(claim.reason)], at: date, trigger: trigger)
    }

    // MARK: Reading

    /// A worker's notices, newest first, with their text.
    /// - Throws: `ledger.person-not-found`.
    public func notices(of person: String, unreadOnly: Bool = false, before cursor: String? = nil, limit: Int = 50) throws(SkillError) -> (notices: [Shown], unread: Int) {
        try context.read { tx in
            _ = try context.requirePerson(tx, person)
            let notices = try tx.notices.notices(person: person, unreadOnly: unreadOnly, before: cursor, limit: limit)
            return (notices.map(shown), try tx.notices.unreadCount(person: person))
        }
    }

    /// Marks a worker's notices read (every unread one when `ids` is nil).
    /// - Returns: how many were unread and are now read.
    /// - Throws: `ledger.person-not-found`.
    public func markRead(person: String, ids: [String]? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> Int {
        let date = context.now
        return try context.write { tx in
            _ = try context.requirePerson(tx, person)
            let changed = try tx.notices.markRead(person: person, ids: ids, at: Timestamp.format(date))
            if changed > 0 {
                try context.append(tx, "notice.read", actor: actor, at: date, subjects: ["person": .string(person)], change: ["notices": .int(changed)])
            }
            return changed
        }
    }

    func shown(_ n: Notice) -> Shown {
        let text = NoticeText(standards: context.standards).text(n)
        return Shown(notice: n, zh: text.zh, en: text.en)
    }
}

/// The words of a notice, in Chinese and English: what changed, and what to do next.
struct NoticeText {
    let standards: Standards

    private func string(_ n: Notice, _ key: String) -> String { n.facts[key]?.stringValue ?? "" }
    private func int(_ n: Notice, _ key: String) -> Int? { n.facts[key]?.intValue }

    private func occupation(_ n: Notice) -> (zh: String, en: String) {
        let code = string(n, "occupation")
        let o = standards.occupation(code)
        let name = o?.zh ?? standards.catalogue.occupation(code)?.name ?? code
        let level = int(n, "level").flatMap { standards.level(code: $0) }
        return ("\(name)\(level.map { " \($0.zh)" } ?? "")", "\(o?.en ?? name)\(level.map { ", \($0.en)" } ?? "")")
    }

    private func programme(_ n: Notice) -> (zh: String, en: String) {
        let p = standards.subsidies.first { $0.id == string(n, "programme") }
        return (p?.zh ?? string(n, "programme"), p?.en ?? string(n, "programme"))
    }

    private func yuan(_ n: Notice) -> String { SubsidyClaim.yuan(int(n, "amount_fen") ?? 0) }

    func text(_ n: Notice) -> (zh: String, en: String) {
        let number = string(n, "number")
        let reason = n.facts["reason"]?.stringValue
        switch n.kind {
        case .certificateIssued:
            let o = occupation(n)
            return ("你获得了证书：\(o.zh)（编号 \(number)）。可在个人档案中下载，出示给用人单位核验。",
                    "You were issued a certificate: \(o.en) (number \(number)). Download it from your record to show employers, who can verify it.")
        case .certificateRevoked:
            return ("证书 \(number) 已被撤销\(reason.map { "，原因：\($0)" } ?? "")。它不再有效；如有异议，请联系发证机构。",
                    "Certificate \(number) was revoked\(reason.map { ": \($0)" } ?? ""). It is no longer valid; contact the issuer if you disagree.")
        case .certificateSuspended:
            return ("证书 \(number) 已被暂停\(reason.map { "，原因：\($0)" } ?? "")。暂停期间核验不通过；请联系发证机构。",
                    "Certificate \(number) was suspended\(reason.map { ": \($0)" } ?? ""). It fails verification while suspended; contact the issuer.")
        case .certificateReinstated:
            return ("证书 \(number) 已恢复有效。", "Certificate \(number) is valid again.")
        case .creditsConverted:
            return ("已为你转换学分：\(string(n, "credits")) 学分计入 \(string(n, "programme"))。可在学习账户中查看。",
                    "Credits were converted for you: \(string(n, "credits")) credits into \(string(n, "programme")). See them in your learning account.")
        case .conversionReversed:
            return ("学分转换 \(string(n, "conversion")) 已撤回\(reason.map { "：\($0)" } ?? "")。",
                    "Conversion \(string(n, "conversion")) was reversed\(reason.map { ": \($0)" } ?? "").")
        case .eligibleLevel:
            let o = occupation(n)
            return ("你已满足申报 \(o.zh) 的条件（规则 \(string(n, "rule"))）。下一步：向评价机构报名参加考核。",
                    "You now meet the conditions to sit \(o.en) (rule \(string(n, "rule"))). Next: register with an evaluation organisation for the assessment.")
        case .eligibleTitle:
            return ("你已满足申报职称「\(string(n, "title"))」的条件（规则 \(string(n, "rule"))）。下一步：向职称评审机构提交申请。",
                    "You now meet the conditions for the professional title \(string(n, "title")) (rule \(string(n, "rule"))). Next: apply to the title review body.")
        case .eligibleSubsidy:
            let p = programme(n)
            let evidence = n.facts["number"]?.stringValue.map { "证书 \($0)" } ?? string(n, "evidence")
            let evidenceEN = n.facts["number"]?.stringValue.map { "certificate \($0)" } ?? string(n, "evidence")
            return ("你可以申请\(p.zh)，最高 \(yuan(n)) 元（凭\(evidence)，参保信息截至 \(string(n, "insurance_as_of"))）。下一步：在个人档案中提交申请。",
                    "You can claim the \(p.en), up to \(yuan(n)) yuan (for \(evidenceEN); insurance as of \(string(n, "insurance_as_of"))). Next: apply from your record.")
        case .claimApproved:
            let p = programme(n)
            return ("你的\(p.zh)申请 \(string(n, "claim")) 已批准：\(yuan(n)) 元，将随下一批次支付。",
                    "Your \(p.en) claim \(string(n, "claim")) was approved: \(yuan(n)) yuan, paid with the next payment batch.")
        case .claimRejected:
            let p = programme(n)
            return ("你的\(p.zh)申请 \(string(n, "claim")) 未获批准\(reason.map { "：\($0)" } ?? "")。",
                    "Your \(p.en) claim \(string(n, "claim")) was not approved\(reason.map { ": \($0)" } ?? "").")
        case .claimCancelled:
            let p = programme(n)
            return ("你的\(p.zh)申请 \(string(n, "claim")) 已取消，因为所凭证书已被撤销。不会支付。",
                    "Your \(p.en) claim \(string(n, "claim")) was cancelled because its certificate was revoked. It will not be paid.")
        case .claimRecoveryDue:
            let p = programme(n)
            return ("所凭证书已被撤销，已支付的\(p.zh) \(yuan(n)) 元（申请 \(string(n, "claim"))）需要追回。经办机构将与你联系。",
                    "The certificate was revoked, so the \(p.en) of \(yuan(n)) yuan already paid (claim \(string(n, "claim"))) is to be recovered. The office will contact you.")
        case .contactRequested:
            let o = occupation(n)
            return ("一家用人单位希望就岗位 \(string(n, "vacancy"))（\(o.zh)）与你联系。在个人档案中接受或拒绝；接受前对方看不到你的任何信息。",
                    "An employer would like to contact you about vacancy \(string(n, "vacancy")) (\(o.en)). Accept or decline from your record; they see nothing about you until you accept.")
        }
    }
}
