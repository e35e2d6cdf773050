import Foundation
import SkillCore

/// JSON-LD 1.1 expansion, reduced to the question VC 2.0 §4.1 asks of a conforming document:
/// does every member and every type resolve to an IRI through the contexts it declares? A term
/// no context defines is dropped on expansion (the VC 2.0 context has no `@vocab`), and a type
/// no context defines becomes a relative IRI.
///
/// It follows the Expansion and Context Processing algorithms for what our documents and the
/// closed set of contexts we ship (VC 2.0, Open Badges 3.0.3, SkillBank v1) use: term
/// definitions (string or expanded, `@id`, `@type`, `@container`), keyword aliases, `@protected`
/// (a protected term may only be redefined identically, except by a property-scoped context),
/// property-scoped contexts (which propagate) and type-scoped contexts (which do not: nested
/// nodes revert to the context before them), `@type: @json` (not descended), language maps, and
/// null members (dropped). Contexts come from the given documents only; there is no network.
struct JSONLDTermCoverage {
    /// A context URL's document.
    let documents: [String: JSONValue]

    struct Report {
        /// Members that expand to an IRI, by JSON path.
        var defined: [String] = []
        /// Members expansion drops, and why.
        var dropped: [String] = []
        /// Types no context defines.
        var undefinedTypes: [String] = []
        /// Context processing errors (a protected term redefined, a context not available).
        var errors: [String] = []
        var isClean: Bool { dropped.isEmpty && undefinedTypes.isEmpty && errors.isEmpty }
    }

    struct Term: Equatable {
        var iri: String?
        var keyword: String?
        var type: String?
        var container: [String] = []
        var scoped: JSONValue?
        var protected = false

        /// Whether two definitions are the same but for protection (JSON-LD 1.1 §4.1.11).
        func sameDefinition(as other: Term) -> Bool {
            iri == other.iri && keyword == other.keyword && type == other.type && container == other.container && scoped == other.scoped
        }
    }

    final class Context {
        var terms: [String: Term] = [:]
        var vocab: String?
        var previous: Context?

        func copy() -> Context {
            let c = Context()
            c.terms = terms
            c.vocab = vocab
            c.previous = previous
            return c
        }
    }

    func check(_ document: JSONValue) -> Report {
        var report = Report()
        expand(document, Context(), property: nil, path: "$", report: &report)
        return report
    }

    // MARK: Context processing

    func process(_ active: Context, _ local: JSONValue, overrideProtected: Bool = false, propagate: Bool = true, report: inout Report) -> Context {
        let result = active.copy()
        if !propagate, result.previous == nil { result.previous = active }
        let items = local.arrayValue ?? [local]
        for item in items {
            switch item {
            case .null:
                if !overrideProtected, result.terms.values.contains(where: \.protected) {
                    report.errors.append("a null context would clear protected terms")
                }
                let fresh = Context()
                fresh.previous = result.previous
                result.terms = fresh.terms
                result.vocab = nil
            case .string(let url):
                guard let document = documents[url], let context = document["@context"] else {
                    report.errors.append("context \(url) is not available offline")
                    continue
                }
                let loaded = process(result, context, overrideProtected: overrideProtected, report: &report)
                result.terms = loaded.terms
                result.vocab = loaded.vocab
            case .object(let definitions):
                if let vocab = definitions["@vocab"] { result.vocab = vocab.stringValue }
                let defaultProtected = definitions["@protected"]?.boolValue ?? false
                for (term, value) in definitions where !term.hasPrefix("@") {
                    guard var definition = define(term, value, in: definitions, result) else { continue }
                    if case .object(let o) = value, let p = o["@protected"]?.boolValue {
                        definition.protected = p
                    } else {
                        definition.protected = defaultProtected
                    }
                    if let existing = result.terms[term], existing.protected, !overrideProtected, !existing.sameDefinition(as: definition) {
                        report.errors.append("protected term redefinition: \(term)")
                        continue
                    }
                    result.terms[term] = definition
                }
            default:
                report.errors.append("a context must be a URL, an object or null")
            }
        }
        return result
    }

    /// One term definition (Create Term Definition, for the features our contexts use).
    func define(_ term: String, _ value: JSONValue, in local: [String: JSONValue], _ active: Context) -> Term? {
        func iri(_ text: String) -> (iri: String?, keyword: String?) {
            if text.hasPrefix("@") { return (nil, text) }
            if let colon = text.firstIndex(of: ":") {
                let prefix = String(text[..<colon])
                if let p = active.terms[prefix]?.iri ?? local[prefix]?.stringValue, !text.dropFirst(prefix.count + 1).hasPrefix("//") {
                    return (p + text[text.index(after: colon)...], nil)
                }
                return (text, nil)
            }
            // A term naming another term (`"AchievementCredential": {"@id": "OpenBadgeCredential"}`).
            if let other = active.terms[text]?.iri { return (other, nil) }
            if let other = local[text] { return iri(other.stringValue ?? other["@id"]?.stringValue ?? "") }
            return (active.vocab.map { $0 + text }, nil)
        }
        switch value {
        case .null:
            return Term(iri: nil)
        case .string(let text):
            let (i, k) = iri(text)
            return Term(iri: i, keyword: k)
        case .object(let o):
            var t = Term()
            if let id = o["@id"]?.stringValue {
                (t.iri, t.keyword) = iri(id)
            } else {
                (t.iri, t.keyword) = iri(term)
            }
            if let type = o["@type"]?.stringValue { t.type = type.hasPrefix("@") ? type : iri(type).iri }
            t.container = o["@container"].map { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue ?? ""] } ?? []
            t.scoped = o["@context"]
            return t
        default:
            return nil
        }
    }

    // MARK: Expansion

    func expand(_ element: JSONValue, _ active: Context, property: Term?, path: String, report: inout Report) {
        switch element {
        case .array(let items):
            for (i, item) in items.enumerated() { expand(item, active, property: property, path: "\(path)[\(i)]", report: &report) }
        case .object(let members):
            expandNode(members, active, property: property, path: path, report: &report)
        default:
            break
        }
    }

    func expandNode(_ members: [String: JSONValue], _ active: Context, property: Term?, path: String, report: inout Report) {
        var active = active
        // A type-scoped context does not reach nested nodes (unless a node is only a reference).
        let onlyReference = members.count == 1 && members.keys.allSatisfy { $0 == "@id" || active.terms[$0]?.keyword == "@id" }
        if let previous = active.previous, !onlyReference { active = previous }
        if let scoped = property?.scoped { active = process(active, scoped, overrideProtected: true, report: &report) }
        if let local = members["@context"] { active = process(active, local, report: &report) }
        // Type-scoped contexts, from the context before any of them, in lexicographic order of the types.
        let typeScope = active
        let typeKeys = members.keys.filter { $0 == "@type" || typeScope.terms[$0]?.keyword == "@type" }
        let types = typeKeys.flatMap { key in (members[key]?.arrayValue ?? [members[key]!]).compactMap(\.stringValue) }.sorted()
        for type in types {
            if let scoped = typeScope.terms[type]?.scoped { active = process(active, scoped, propagate: false, report: &report) }
        }
        for key in members.keys.sorted() where key != "@context" {
            let value = members[key]!
            let childPath = "\(path).\(key)"
            let word = key.hasPrefix("@") ? key : active.terms[key]?.keyword
            if let word {
                if word == "@type" {
                    for type in value.arrayValue?.compactMap(\.stringValue) ?? [value.stringValue ?? ""] where !resolves(type, typeScope, vocab: true) {
                        report.undefinedTypes.append("\(childPath): \(type)")
                    }
                }
                continue
            }
            let definition = active.terms[key]
            guard definition?.iri != nil || isAbsoluteOrCompact(key, active) else {
                report.dropped.append("\(childPath): no context defines \"\(key)\"")
                continue
            }
            if value == .null {
                report.dropped.append("\(childPath): null (expansion drops null members)")
                continue
            }
            report.defined.append(childPath)
            if definition?.type == "@json" || definition?.container.contains("@language") == true { continue }
            expand(value, active, property: definition, path: childPath, report: &report)
        }
    }

    func isAbsoluteOrCompact(_ key: String, _ context: Context) -> Bool {
        guard let colon = key.firstIndex(of: ":") else { return false }
        return key[..<colon] != "_" && !key[..<colon].isEmpty
    }

    /// Whether a type expands to an absolute IRI (vocabulary-relative: a term, a compact or absolute IRI).
    func resolves(_ type: String, _ context: Context, vocab: Bool) -> Bool {
        if context.terms[type]?.iri != nil { return true }
        if isAbsoluteOrCompact(type, context) { return true }
        return vocab && context.vocab != nil
    }
}
