import Foundation
import SkillCore
import SkillCrypto
import SkillStore

/// How a worker reaches their own pages (`/me`): a one-time sign-in link the operator issues,
/// exchanged for a session (an HTTP-only, SameSite=Strict cookie) with its own CSRF token. Only
/// the SHA-256 of a link's code or a session's secret is kept.
public struct WorkerSessions: Sendable {
    let context: BankContext

    /// How long a session lasts.
    public static let sessionHours = 8

    /// A signed-in worker.
    public struct Session: Sendable {
        public let person: String
        /// The token every form of the session carries.
        public let csrf: String
        public let expiresAt: String
    }

    static func hash(_ secret: String) -> String { Hex.encode(SHA256.hash(Array(secret.utf8))) }
    /// A fresh 256-bit secret, base64url.
    public static func secret() throws(SkillError) -> String { Base64URL.encode(try SecureRandom.bytes(32)) }

    /// Issues a one-time sign-in link for a worker, valid for `minutes`.
    /// - Returns: the URL (its code is shown this once) and when it expires.
    /// - Throws: `ledger.person-not-found`, `input.invalid-field` (minutes).
    /// - Parameter institution: when an institution issues it, the worker must be its learner
    ///   (enrolled on one of its courses, or holding one of its certificates).
    public func issueLink(person: String, minutes: Int = 15, actor: Actor = .operatorCLI, onlyFor institution: String? = nil) throws(SkillError) -> (url: String, expiresAt: String) {
        guard (1...1_440).contains(minutes) else { throw SkillError(.invalidField, "a sign-in link lasts 1–1440 minutes", field: "minutes") }
        let date = context.now
        let code = try Self.secret()
        let expires = Timestamp.format(date.addingTimeInterval(Double(minutes) * 60))
        try context.write { tx in
            if let institution {
                // Another institution's learner and no one at all read the same.
                let learner = try tx.people.person(person) != nil
                    && (try tx.training.trainingHistory(person: person).contains { $0.course.institutionID == institution }
                        || tx.certificates.certificates(of: person).contains { $0.institutionID == institution })
                guard learner else { throw SkillError(.forbidden, "an institution issues sign-in links to its own learners only", field: "person") }
            }
            _ = try context.requirePerson(tx, person, forChange: true)
            let event = try context.append(tx, "person.signin-link-issued", actor: actor, at: date, subjects: ["person": .string(person)],
                                           change: ["expires_at": .string(expires)])
            try tx.sessions.insertLink(sha256: Self.hash(code), person: person, createdAt: Timestamp.format(date), expiresAt: expires, eventID: event)
        }
        return ("\(context.baseURL)/me/signin?code=\(code)", expires)
    }

    /// Exchanges a link's code for a new session, once. A session the browser already held is
    /// ended, so nobody can plant a session id before sign-in (session fixation).
    /// - Returns: the session's secret (for the cookie) and the session.
    /// - Throws: `auth.signin-link-invalid` (unknown, used or expired, all alike).
    public func redeem(code: String, replacing earlier: String? = nil) throws(SkillError) -> (secret: String, session: Session) {
        let date = context.now
        let secret = try Self.secret()
        let csrf = try Self.secret()
        let refused = SkillError(.signInLinkInvalid, "this sign-in link is not valid: it may have been used already or expired; ask for a new one", field: "code")
        return try context.write { tx in
            if let earlier { try tx.sessions.revokeSession(sha256: Self.hash(earlier), at: Timestamp.format(date)) }
            guard let link = try tx.sessions.link(sha256: Self.hash(code)), link.usedAt == nil, link.expiresAt > Timestamp.format(date),
                try tx.sessions.useLink(sha256: Self.hash(code), at: Timestamp.format(date))
            else { throw refused }
            _ = try context.requirePerson(tx, link.person, forChange: true)
            let expires = Timestamp.format(date.addingTimeInterval(Double(Self.sessionHours) * 3_600))
            let event = try context.append(tx, "person.signed-in", actor: Actor("worker"), at: date, subjects: ["person": .string(link.person)], change: [:])
            try tx.sessions.insertSession(sha256: Self.hash(secret), person: link.person, csrf: csrf, createdAt: Timestamp.format(date), expiresAt: expires,
                                          eventID: event)
            return (secret, Session(person: link.person, csrf: csrf, expiresAt: expires))
        }
    }

    /// The live session for a cookie's secret, or nil (unknown, ended or expired).
    /// - Throws: `store.*`.
    public func session(_ secret: String) throws(SkillError) -> Session? {
        let now = Timestamp.format(context.now)
        return try context.read { tx in
            guard let s = try tx.sessions.session(sha256: Self.hash(secret)), s.revokedAt == nil, s.expiresAt > now else { return nil }
            return Session(person: s.person, csrf: s.csrf, expiresAt: s.expiresAt)
        }
    }

    /// Ends a session.
    public func signOut(_ secret: String) throws(SkillError) {
        let date = context.now
        try context.write { tx in
            guard let s = try tx.sessions.session(sha256: Self.hash(secret)), s.revokedAt == nil else { return }
            try context.append(tx, "person.signed-out", actor: Actor("worker"), at: date, subjects: ["person": .string(s.person)], change: [:])
            try tx.sessions.revokeSession(sha256: Self.hash(secret), at: Timestamp.format(date))
        }
    }
}
