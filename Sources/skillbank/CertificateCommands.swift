import ArgumentParser
import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillServer

extension AssessmentKind: ExpressibleByArgument {}
extension Certificates.ExportFormat: ExpressibleByArgument {}

struct AssessmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assessment", abstract: "Schedule assessments, enrol candidates, record results (a pass issues the certificate).",
        subcommands: [Schedule.self, Enrol.self, Result.self, ImportResults.self])

    struct Schedule: BankCommand {
        static let configuration = CommandConfiguration(commandName: "schedule", abstract: "Schedule an assessment inside an evaluator's scope; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The evaluator (employer or social).") var institution: String
        @Option(help: "Occupation code.") var occupation: String
        @Option(help: "Five-level code (not for --kind special).") var level: Int?
        @Option(help: "skill (职业技能等级) | special (专项职业能力, no level).") var kind: AssessmentKind = .skill
        @Option(help: "A 工种 of the occupation (e.g. 数控车工 under 车工).") var workType: String?
        @Option(help: "A dual-certificates.json mapping id: one exam, two certificates.") var dual: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let a = try bank.issuance.scheduleAssessment(
                institution: institution, occupation: occupation, level: level, kind: kind, workType: workType, dualMapping: dual)
            try output.emit(a.json) { a.id }
        }
    }

    struct Enrol: BankCommand {
        static let configuration = CommandConfiguration(commandName: "enrol", abstract: "Enrol a worker as a candidate.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The assessment id.") var assessment: String
        static let positionals: Set<String> = ["assessment"]
        @Option(help: "The person id.") var person: String
        @Option(help: "Enrol even if the eligibility rules (申报条件) say no; the reason is kept in the event.") var override: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            try bank.issuance.enrolCandidate(assessment: assessment, person: person, override: override)
            try output.emit(["assessment": .string(assessment), "person": .string(person), "status": "enrolled"]) { "\(person) enrolled in \(assessment)" }
        }
    }

    struct Result: BankCommand {
        static let configuration = CommandConfiguration(commandName: "result", abstract: "Record a candidate's scores; a pass issues the signed certificate(s) in the same transaction.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The assessment id.") var assessment: String
        static let positionals: Set<String> = ["assessment"]
        @Option(help: "The person id.") var person: String
        @Option(help: "Theory score 0–100 (none for special-capability assessments).") var theory: Int?
        @Option(help: "Practical score 0–100.") var practical: Int

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let outcome = try bank.issuance.recordResult(assessment: assessment, person: person, theory: theory, practical: practical)
            try output.emit(outcome.json) {
                outcome.passed
                    ? (["passed"] + outcome.certificates.map { "certificate \($0.id) number \($0.number) (\($0.kind))" }).joined(separator: "\n")
                    : "failed: no certificate"
            }
        }
    }

    struct ImportResults: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-results", abstract: "Record results from CSV (person,theory,practical) in one transaction.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The assessment id.") var assessment: String
        static let positionals: Set<String> = ["assessment"]
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Record the good rows and report the bad ones.") var skipBad = false

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let (report, issued) = try bank.issuance.importResults(assessment: assessment, from: URL(fileURLWithPath: file), skipBad: skipBad)
            var value = report.json.objectValue!
            value["certificates_issued"] = .int(issued)
            if !report.committed {
                if global.json { try output.emit(.object(value)) { "" } } else { report.problems.forEach { Terminal.error($0.description) } }
                throw SkillError(.importBadRows, "\(report.problems.count) bad row(s) of \(report.rows); nothing was recorded")
            }
            try output.emit(.object(value)) {
                (["recorded \(report.imported) of \(report.rows) results; \(issued) certificate(s) issued"] + report.problems.prefix(20).map { "  " + $0.description })
                    .joined(separator: "\n")
            }
        }
    }
}

struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert", abstract: "Show, export, revoke, suspend and look up certificates.",
        subcommands: [Show.self, Export.self, Print.self, Revoke.self, Suspend.self, Reinstate.self, Lookup.self])

    struct Show: BankCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a certificate (by id or number).")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id or number.") var certificate: String
        static let positionals: Set<String> = ["certificate"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let c = try bank.certificates.certificate(certificate)
            try output.emit(c.json) {
                let level = c.level.flatMap { bank.standards.level(code: $0)?.display } ?? "-"
                return """
                    \(c.id)  number \(c.number)
                    kind: \(c.kind)   status: \(c.status.rawValue)
                    occupation: \(c.occupation) \(bank.standards.occupation(c.occupation)?.zh ?? "")   level: \(level)
                    issuer: \(c.institutionID)   holder: \(c.personID)   issued: \(LocalTime().text(c.issuedAt))\(c.twinID.map { "\ntwin (一试双证): " + $0 } ?? "")
                    """
            }
        }
    }

    struct Export: BankCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the signed certificate as a VC (JSON) or a VC-JWT, for the worker to show.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id or number.") var certificate: String
        static let positionals: Set<String> = ["certificate"]
        @Option(help: "vc | jwt (VC-JOSE-COSE) | ob-jwt (the Open Badges 3.0 JWT profile) | bundle (with the trust list, status lists, log proof and checkpoint) | svg | png (a badge image with the credential baked in, Open Badges 3.0 §5.3)")
        var format: String = "vc"
        @Flag(help: "Include the worker's name (only if the worker asks; the stored credential never holds it).") var withName = false
        @Option(help: "Write to this file instead of standard output (a PNG needs one).") var out: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            if format == "svg" || format == "png" {
                guard !withName else { throw SkillError(.invalidField, "a baked badge carries the credential as issued, without a name", field: "--with-name") }
                let bytes = try bank.certificates.baked(certificate, png: format == "png")
                guard let out else {
                    guard format == "svg" else { throw SkillError(.usage, "a PNG goes to a file: add --out FILE.png", field: "--out") }
                    print(String(decoding: bytes, as: UTF8.self))
                    return
                }
                guard FileManager.default.createFile(atPath: out, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
                    throw SkillError(.fileUnreadable, "cannot write the file", field: out)
                }
                Terminal.note("wrote \(out)")
                return
            }
            guard let kind = Certificates.ExportFormat(rawValue: format) else {
                throw SkillError(.usage, "--format is vc, jwt, ob-jwt, bundle, svg or png", field: "--format")
            }
            let text = try bank.certificates.export(certificate, format: kind, withName: withName)
            try output.write(text, to: out)
        }
    }

    struct Print: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "print", abstract: "The printable A4 certificate with its QR code: HTML, or PDF through Debian's chromium.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id or number.") var certificate: String
        static let positionals: Set<String> = ["certificate"]
        @Flag(help: "Print the worker's name (only if the worker asks).") var withName = false
        @Option(help: "FILE.html, or FILE.pdf (needs chromium: apt-get install chromium).") var out: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let registryName = ProcessInfo.processInfo.environment["SKILLBANK_REGISTRY_NAME"] ?? "SkillBank Registry"
            let html = try PrintedCertificate.html(bank, certificate: certificate, withName: withName, registryName: registryName)
            guard out.lowercased().hasSuffix(".pdf") else {
                try output.write(html, to: out)
                return
            }
            guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(Executable.find).first else {
                throw SkillError(.usage, "a PDF is printed by chromium, which is not installed (apt-get install chromium); --out FILE.html works without it", field: "--out")
            }
            let page = FileManager.default.temporaryDirectory.appendingPathComponent("certificate-\(UUID().uuidString).html")
            do { try Data(html.utf8).write(to: page) } catch { throw SkillError(.fileUnreadable, "cannot write a temporary page", field: page.path) }
            defer { try? FileManager.default.removeItem(at: page) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: chromium)
            p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(URL(fileURLWithPath: out).path)",
                           page.absoluteString]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { throw SkillError(.fileUnreadable, "cannot start chromium", field: chromium, cause: "\(error)") }
            p.waitUntilExit()
            guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: out) else {
                throw SkillError(.fileUnreadable, "chromium could not print the PDF (exit \(p.terminationStatus))", field: "--out")
            }
            Terminal.note("wrote \(out)")
        }
    }

    struct Revoke: BankCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a certificate (and its 一试双证 twin), or every number in a file with --bulk.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id or number.") var certificate: String?
        @Option(help: "Why (kept in the event).") var reason: String
        @Option(help: "A file of certificate numbers, one per line.") var bulk: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            if let bulk {
                guard let data = FileManager.default.contents(atPath: bulk) else { throw SkillError(.fileUnreadable, "cannot read the file", field: bulk) }
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                let (revoked, problems) = try bank.certificates.revokeBulk(numbers: lines, reason: reason)
                try output.emit([
                    "revoked": .array(revoked.map { .string($0.number) }),
                    "problems": .array(problems.map { ["line": .int($0.line), "number": .string($0.number), "message": .string($0.message)] }),
                ]) {
                    (["revoked \(revoked.count) certificate(s)"] + problems.map { "line \($0.line), \($0.number): \($0.message)" }).joined(separator: "\n")
                }
                if !problems.isEmpty { throw SkillError(.importBadRows, "\(problems.count) number(s) could not be revoked; the others were") }
                return
            }
            guard let certificate else { throw SkillError(.usage, "name a certificate or give --bulk FILE") }
            let changed = try bank.certificates.changeStatus(of: certificate, .revoke, reason: reason)
            try output.emit(.array(changed.map(\.json))) { changed.map { "\($0.id) \($0.number) revoked" }.joined(separator: "\n") }
        }
    }

    struct Suspend: BankCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Suspend a certificate (and its twin).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id or number.") var certificate: String
        static let positionals: Set<String> = ["certificate"]
        @Option(help: "Why.") var reason: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let changed = try bank.certificates.changeStatus(of: certificate, .suspend, reason: reason)
            try output.emit(.array(changed.map(\.json))) { changed.map { "\($0.id) suspended" }.joined(separator: "\n") }
        }
    }

    struct Reinstate: BankCommand {
        static let configuration = CommandConfiguration(commandName: "reinstate", abstract: "Lift a suspension (and its twin's).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id or number.") var certificate: String
        static let positionals: Set<String> = ["certificate"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let changed = try bank.certificates.changeStatus(of: certificate, .reinstate)
            try output.emit(.array(changed.map(\.json))) { changed.map { "\($0.id) active" }.joined(separator: "\n") }
        }
    }

    struct Lookup: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup",
            abstract: "National-style look-up: number plus the holder's name or ID number → issuer, occupation, level, date, status.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Option(help: "The certificate number.") var number: String
        @Option(help: "The holder's name.") var name: String?
        @Option(help: "The holder's document type.") var idType: IDType = .resident
        @Option(help: "The holder's document number.") var idNumber: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let found = try bank.certificates.lookup(number: number, name: name, idType: idType, idNumber: idNumber)
            try output.emit(found) {
                var lines = ["number", "issuer", "occupation"].map { "\($0): \(found[$0]?.stringValue ?? "-")" }
                lines.append("level: \(found["level"]?.intValue.map(String.init) ?? "-")\(found["level_name"]?["zh"]?.stringValue.map { " " + $0 } ?? "")")
                lines += ["issued_at", "status"].map { "\($0): \(found[$0]?.stringValue ?? "-")" }
                return lines.joined(separator: "\n")
            }
        }
    }
}

struct TrustListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trust-list", abstract: "The registry's signed trust list.", subcommands: [Export.self])

    struct Export: BankCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Print the trust list, signed now by the registry key.")
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            print(try bank.registration.trustList().prettyString())
        }
    }
}

struct StatusListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status-list", abstract: "An issuer's signed status list credential.", subcommands: [Export.self])

    struct Export: BankCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Print an issuer's status list credential.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The institution id.") var institution: String
        static let positionals: Set<String> = ["institution"]
        @Option(help: "message (what certificates carry: valid, revoked or suspended in 2 bits) | revocation | suspension (certificates issued before the message list)")
        var purpose = "message"

        func run(on bank: Bank, output: Output) throws(SkillError) {
            guard let purpose = StatusPurpose(rawValue: purpose) else {
                throw SkillError(.invalidField, "purpose is message, revocation or suspension", field: "--purpose")
            }
            print(try bank.certificates.statusList(of: institution, purpose: purpose).prettyString())
        }
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a certificate file offline (VC JSON or VC-JWT): exit 0 valid, 1 invalid, 65/66 could not check.",
        discussion: "Give the registry's trust list and the issuer's status lists as files, or --bank to take them from a local bank.")

    @Argument(help: "The certificate file: VC JSON, a JWT, a bundle, or a baked badge (SVG or PNG).") var file: String
    @Option(help: "The registry's signed trust list.") var trustList: String?
    @Option(help: "A status list credential (repeat for several).") var statusList: [String] = []
    @Option(help: "A related credential presented with it, e.g. its 一试双证 twin (repeat for several): a digest the certificate carries must match it.")
    var related: [String] = []
    @Option(help: "Check as of this time (RFC 3339), default now.") var at: String?
    @Option(help: "Accept only a trust list signed by this registry DID.") var registry: String?
    @Option(help: "For a bundle: the oldest checkpoint accepted, e.g. 7d, 12h, 30m.") var maxAge: String?
    @Flag(help: "Take the trust list and status lists from the local bank (--db).") var bank = false
    @Option(help: "For a bundle: prove its leaf from published log tiles (a directory written by log export-tiles, or a mirror's base URL) and their newer checkpoint instead of the bundle's own proof, and check that the newer tree extends the bundle's checkpoint.") var tiles: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let output = Output(json: global.json)
        do {
            let read = Output.read
            // A baked badge (SVG or PNG) gives up the credential inside it.
            let raw = FileManager.default.contents(atPath: file).map(Array.init) ?? []
            let text = try BakedBadge.extract(raw) ?? read(file)
            var trust = try trustList.map { p throws(SkillError) in try JSONParser().parse(try read(p)) }
            var lists = try statusList.map { p throws(SkillError) in try JSONParser().parse(try read(p)) }
            if bank {
                let bank = try global.openBank()
                trust = try trust ?? bank.registration.trustList()
                lists += try bank.certificates.allStatusLists()
            }
            var time = Date()
            if let at {
                guard let t = CredentialVerifier.date(at) else { throw SkillError(.invalidField, "expected an RFC 3339 time like 2026-11-28T12:00:00Z", field: "--at") }
                time = t
            }
            var age: TimeInterval?
            if let maxAge {
                let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
                guard let unit = maxAge.last.flatMap({ units[$0] }), let n = Double(maxAge.dropLast()), n >= 0 else {
                    throw SkillError(.invalidField, "expected a duration like 7d, 12h, 30m or 90s", field: "--max-age")
                }
                age = n * unit
            }
            let report: VerificationReport
            if var value = try? JSONParser().parse(text), value["type"]?.stringValue == CertificateBundle.type {
                if let tiles { value = try CertificateBundle.provedFromTiles(value, read: TileSource.reader(tiles)) }
                // With a trust list (--trust-list or --bank), the given status lists count too, the newer of each.
                let current = trust.map { CredentialVerifier(trustList: $0, statusLists: lists, pinnedRegistry: registry) }
                report = CertificateBundle.verify(value, at: time, maxAge: age, pinnedRegistry: registry, verifier: current)
            } else {
                guard tiles == nil else { throw SkillError(.usage, "--tiles proves a bundle's leaf; this file is not a bundle", field: "--tiles") }
                let others = try related.map { p throws(SkillError) in try JSONParser().parse(try read(p)) }
                report = CredentialVerifier(trustList: trust, statusLists: lists, pinnedRegistry: registry).verify(text: text, at: time, related: others)
            }
            try output.emit(report.json) {
                var lines = ["verdict: \(report.isValid ? "VALID" : "INVALID")"]
                for key in ["name", "issuer", "occupation", "level", "valid_from", "valid_until", "status", "checkpoint_time"] {
                    guard var v = report.summary[key] else { continue }
                    // A certificate that fails is not shown as active: its standing is unknown.
                    if key == "status", !report.isValid, v == "active" { v = "unknown (the certificate did not verify)" }
                    lines.append("\(key): \(["valid_from", "valid_until", "checkpoint_time"].contains(key) ? LocalTime().text(v) : v)")
                }
                lines.append("checks:")
                lines += report.checks.map { "  [\($0.passed ? "ok" : "FAIL")] \($0.name)\($0.reason.map { " (\($0.rawValue))" } ?? ""): \($0.detail)" }
                return lines.joined(separator: "\n")
            }
            if !report.isValid { throw ExitCode(1) }
        } catch {
            throw output.fail(error)
        }
    }
}
