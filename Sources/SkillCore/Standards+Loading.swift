import Foundation

extension Standards {
    /// The data files every Standards directory holds, in load order. Each `NAME.json` has
    /// its schema at `schema/NAME.schema.json`.
    public static let fileNames = [
        "levels", "occupations", "credential-types", "certificate-number-schemes", "provinces", "frameworks", "crosswalk",
        "dual-certificates", "assessment-rules", "conversion-rules", catalogueFileName, subsidiesFileName,
    ]

    /// The whole occupation catalogue: checked against its schema when loaded from a folder, and
    /// decoded only when first read. Banks made before it existed have no copy and still open.
    public static let catalogueFileName = "occupation-catalogue"
    /// The subsidy programmes (`SubsidyEngine`); banks made before them have none until the
    /// Standards folder's copy is stored.
    public static let subsidiesFileName = "subsidies"
    /// Files added to the Standards after banks existed: a bank made before holds none of them,
    /// gets the Standards folder's copy when it opens, and still opens without one.
    public static let laterFileNames = [catalogueFileName, subsidiesFileName]

    /// Reads and validates a Standards directory.
    /// - Parameter directory: the folder holding the data files and `schema/`.
    /// - Returns: the validated standards.
    /// - Throws: `standards.missing` when a file cannot be read; otherwise as `load(files:)`.
    public static func load(directory: URL) throws(SkillError) -> Standards {
        var files: [StandardsFile] = []
        for name in fileNames { files.append(try read(name, in: directory)) }
        return try load(files: files)
    }

    /// Reads one file of a Standards directory and checks it against its schema: how a bank made
    /// before the occupation catalogue existed gets a copy.
    /// - Throws: `standards.missing`, `standards.schema-violation`.
    public static func checkedFile(_ name: String, in directory: URL) throws(SkillError) -> StandardsFile {
        let file = try read(name, in: directory)
        try check(file, parsed: try parse(file))
        return file
    }

    private static func read(_ name: String, in directory: URL) throws(SkillError) -> StandardsFile {
        let dataURL = directory.appendingPathComponent("\(name).json")
        let schemaURL = directory.appendingPathComponent("schema/\(name).schema.json")
        guard let data = FileManager.default.contents(atPath: dataURL.path) else {
            throw SkillError(.standardsMissing, "cannot read the Standards file", field: dataURL.path)
        }
        guard let schema = FileManager.default.contents(atPath: schemaURL.path) else {
            throw SkillError(.standardsMissing, "cannot read the schema", field: schemaURL.path)
        }
        return StandardsFile(name: name, data: Array(data), schema: Array(schema))
    }

    private static func parse(_ file: StandardsFile) throws(SkillError) -> JSONValue {
        do { return try JSONParser().parse(file.data) } catch {
            throw SkillError(.standardsSchema, error.message, field: "\(file.name).json \(error.field ?? "")", cause: error.cause)
        }
    }

    private static func check(_ file: StandardsFile, parsed value: JSONValue) throws(SkillError) {
        let schema: JSONSchema
        do { schema = try JSONSchema(JSONParser().parse(file.schema)) } catch {
            throw SkillError(.standardsSchema, error.message, field: "schema/\(file.name).schema.json \(error.field ?? "")", cause: error.cause)
        }
        if let first = schema.validate(value).first {
            throw SkillError(.standardsSchema, first.message, field: "\(file.name).json \(first.path)")
        }
    }

    /// Validates each file against its schema, decodes it, and cross-checks the files.
    /// - Parameter files: one entry per name in `fileNames`.
    /// - Returns: the validated standards.
    /// - Throws: `standards.schema-violation` (file, JSON path, what is wrong),
    ///   `standards.cross-reference` (a row naming something that does not exist), or
    ///   `standards.missing`.
    public static func load(files: [StandardsFile]) throws(SkillError) -> Standards {
        try load(files, checkingEachFile: true)
    }

    /// Loads the files a bank stored. `load(files:)` checked each file on its own before it
    /// was stored (its schema, and that the number schemes' patterns compile and their examples
    /// parse), so those checks are not repeated each time the bank opens: they were about 5 ms
    /// of every CLI start. Decoding and the checks between files still run.
    /// - Throws: as `load(files:)`.
    public static func load(stored files: [StandardsFile]) throws(SkillError) -> Standards {
        try load(files, checkingEachFile: false)
    }

    private static func load(_ files: [StandardsFile], checkingEachFile: Bool) throws(SkillError) -> Standards {
        let byName = Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var documents: [String: JSONValue] = [:]
        for name in fileNames {
            // A stored catalogue is read when first used (and a bank made before it has none).
            if name == catalogueFileName, !checkingEachFile { continue }
            guard let file = byName[name] else {
                if !checkingEachFile, laterFileNames.contains(name) { continue }
                throw SkillError(.standardsMissing, "the Standards set has no \(name).json", field: "\(name).json")
            }
            let value = try parse(file)
            if checkingEachFile { try check(file, parsed: value) }
            documents[name] = value
        }
        return try Builder(documents: documents, files: files, checkingEachFile: checkingEachFile).build()
    }
}

/// Decodes the validated documents and checks references between them.
private struct Builder {
    let documents: [String: JSONValue]
    let files: [StandardsFile]
    /// Compile the number schemes' patterns and parse their examples (ICU regex compilation).
    let checkingEachFile: Bool

    func decode<T: Decodable>(_ type: T.Type, _ name: String, _ member: String) throws(SkillError) -> T {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(T.self, from: Data(documents[name]![member]!.canonicalBytes()))
        } catch {
            throw SkillError(.standardsSchema, "cannot decode \(member)", field: "\(name).json $.\(member)", cause: "\(error)")
        }
    }

    func fail(_ name: String, _ path: String, _ message: String) -> SkillError {
        SkillError(.standardsReference, message, field: "\(name).json \(path)")
    }

    func unique<T>(_ rows: [T], _ key: (T) -> String, _ name: String, _ member: String = "rows") throws(SkillError) {
        var seen: Set<String> = []
        for (i, row) in rows.enumerated() where !seen.insert(key(row)).inserted {
            throw fail(name, "$.\(member)[\(i)]", "duplicate id '\(key(row))'")
        }
    }

    func build() throws(SkillError) -> Standards {
        let levels = try decode([SkillLevel].self, "levels", "rows")
        let occupations = try decode([Occupation].self, "occupations", "rows")
        let majors = try decode([OccupationMajor].self, "occupations", "majors")
        let credentialTypes = try decode([CredentialType].self, "credential-types", "rows")
        let schemes = try decode([CertificateNumberScheme].self, "certificate-number-schemes", "rows")
        let provinces = try decode([Province].self, "provinces", "rows")
        let frameworks = try decode([Framework].self, "frameworks", "rows")
        let defaultID = documents["frameworks"]!["default_framework"]!.stringValue!
        let defaultReason = documents["frameworks"]!["default_reason"]!.stringValue!
        let crosswalk = try decode([CrosswalkRow].self, "crosswalk", "rows")
        let dual = try decode([DualMapping].self, "dual-certificates", "rows")
        let rules = try decode([AssessmentRule].self, "assessment-rules", "rows")
        let programmes = try decode([Programme].self, "conversion-rules", "programmes")
        let conversionRules = try decode([ConversionRule].self, "conversion-rules", "rules")
        let catalogue = OccupationCatalogue(bytes: files.first { $0.name == Standards.catalogueFileName }?.data)
        let subsidies = documents[Standards.subsidiesFileName] == nil ? [] : try decode([SubsidyProgramme].self, Standards.subsidiesFileName, "programmes")

        // Ladder: ranks 1…n in order, five-level codes unique.
        try unique(levels, \.key, "levels")
        for (i, level) in levels.enumerated() where level.rank != i + 1 {
            throw fail("levels", "$.rows[\(i)].rank", "ranks must run 1, 2, 3 … in order; expected \(i + 1)")
        }
        try unique(levels.filter { $0.fiveLevelCode != nil }, { String($0.fiveLevelCode!) }, "levels")
        let codes = Set(levels.compactMap(\.fiveLevelCode))

        try unique(majors, \.code, "occupations", "majors")
        try unique(occupations, \.code, "occupations")
        let majorCodes = Set(majors.map(\.code))
        for (i, o) in occupations.enumerated() {
            guard majorCodes.contains(o.major) else {
                throw fail("occupations", "$.rows[\(i)].code", "major group \(o.major) is not listed in majors")
            }
            if let bad = o.levels.first(where: { !codes.contains($0) }) {
                throw fail("occupations", "$.rows[\(i)].levels", "level \(bad) is not a five-level code in levels.json")
            }
        }

        try unique(credentialTypes, \.id, "credential-types")
        try unique(provinces, \.code, "provinces")
        let provinceCodes = Set(provinces.map(\.code))

        try unique(schemes, \.id, "certificate-number-schemes")
        for (i, scheme) in schemes.enumerated() {
            let path = "$.rows[\(i)]"
            guard !checkingEachFile || RegexCache.regex(scheme.pattern) != nil else {
                throw fail("certificate-number-schemes", "\(path).pattern", "not a valid regular expression")
            }
            var next = 1
            for (j, part) in scheme.parts.sorted(by: { $0.start < $1.start }).enumerated() {
                guard part.start == next else {
                    throw fail("certificate-number-schemes", "\(path).parts[\(j)]", "parts must tile the number: expected start \(next)")
                }
                guard !checkingEachFile || RegexCache.regex(part.pattern) != nil else {
                    throw fail("certificate-number-schemes", "\(path).parts[\(j)].pattern", "not a valid regular expression")
                }
                next += part.length
            }
            if !scheme.parts.isEmpty, next - 1 != scheme.length {
                throw fail("certificate-number-schemes", "\(path).parts", "parts cover \(next - 1) characters, the scheme has \(scheme.length)")
            }
            if scheme.generator, scheme.parts.isEmpty {
                throw fail("certificate-number-schemes", "\(path).generator", "a generator needs a part table")
            }
            if checkingEachFile, let example = scheme.example {
                do { _ = try scheme.parse(example, provinces: provinceCodes, levels: codes) } catch {
                    throw fail("certificate-number-schemes", "\(path).example", "the example does not validate: \(error.message)")
                }
            }
        }

        try unique(frameworks, \.id, "frameworks")
        let frameworksByID = Dictionary(frameworks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, f) in frameworks.enumerated() {
            for (j, l) in f.levels.enumerated() where l.level != j + 1 {
                throw fail("frameworks", "$.rows[\(i)].levels[\(j)]", "levels must run 1, 2, 3 … in order")
            }
            if let h = f.hoursPerCredit, !(h.min <= h.value && h.value <= h.max) {
                throw fail("frameworks", "$.rows[\(i)].hours_per_credit", "value must lie between min and max")
            }
        }
        guard let defaultFramework = frameworksByID[defaultID], defaultFramework.hoursPerCredit != nil else {
            throw fail("frameworks", "$.default_framework", "'\(defaultID)' is not a framework with an hours-per-credit rule")
        }

        for (i, row) in crosswalk.enumerated() {
            guard codes.contains(row.skillLevel) else {
                throw fail("crosswalk", "$.rows[\(i)].skill_level", "\(row.skillLevel) is not a five-level code")
            }
            for (fid, levels) in row.levels.sorted(by: { $0.key < $1.key }) {
                guard let f = frameworksByID[fid] else {
                    throw fail("crosswalk", "$.rows[\(i)].levels.\(fid)", "no framework '\(fid)' in frameworks.json")
                }
                if let bad = levels.first(where: { $0 > f.levels.count }) {
                    throw fail("crosswalk", "$.rows[\(i)].levels.\(fid)", "\(fid) has no level \(bad)")
                }
            }
        }

        try unique(dual, \.id, "dual-certificates")
        let occupationsByCode = Dictionary(occupations.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, m) in dual.enumerated() {
            guard let o = occupationsByCode[m.occupation] else {
                throw fail("dual-certificates", "$.rows[\(i)].occupation", "no occupation \(m.occupation) in occupations.json")
            }
            guard o.levels.contains(m.level) else {
                throw fail("dual-certificates", "$.rows[\(i)].level", "occupation \(m.occupation) has no level \(m.level)")
            }
        }
        try unique(rules, \.credentialType, "assessment-rules")
        let typeIDs = Set(credentialTypes.map(\.id))
        for (i, r) in rules.enumerated() where !typeIDs.contains(r.credentialType) {
            throw fail("assessment-rules", "$.rows[\(i)].credential_type", "no credential type '\(r.credentialType)' in credential-types.json")
        }

        try unique(programmes, \.id, "conversion-rules", "programmes")
        try ConversionRules.check(
            conversionRules, programmes: programmes, occupations: Set(occupationsByCode.keys), levels: codes, frameworks: frameworksByID)

        try checkSubsidies(subsidies, credentialTypes: typeIDs, levels: codes)

        // The occupations the registry assesses are catalogue occupations under the same name.
        if checkingEachFile {
            _ = try catalogue.decode()
            for (i, o) in occupations.enumerated() {
                guard let row = catalogue.occupation(o.code) else {
                    throw fail("occupations", "$.rows[\(i)].code", "\(o.code) is not in occupation-catalogue.json")
                }
                if row.name != o.zh {
                    throw fail("occupations", "$.rows[\(i)].zh", "the catalogue names \(o.code) \(row.name), not \(o.zh)")
                }
            }
        }

        return Standards(
            levels: levels, occupations: occupations, majors: majors, credentialTypes: credentialTypes,
            numberSchemes: schemes, provinces: provinces, frameworks: frameworks, defaultFrameworkID: defaultID,
            defaultFrameworkReason: defaultReason, crosswalk: crosswalk, dualMappings: dual, assessmentRules: rules,
            conversion: ConversionRules(programmes: programmes, rules: conversionRules), files: files,
            occupationsByCode: occupationsByCode, provinceCodeSet: provinceCodes,
            levelsByCode: Dictionary(levels.compactMap { l in l.fiveLevelCode.map { ($0, l) } }, uniquingKeysWith: { a, _ in a }),
            frameworksByID: frameworksByID, catalogue: catalogue, subsidies: subsidies)
    }

    /// Each rule carries what its kind needs; a programme pays by exactly one amount table and
    /// names only programmes, credential types and levels that exist.
    func checkSubsidies(_ programmes: [SubsidyProgramme], credentialTypes: Set<String>, levels: Set<Int>) throws(SkillError) {
        let name = Standards.subsidiesFileName
        try unique(programmes, \.id, name, "programmes")
        try unique(programmes.flatMap(\.rules), \.id, name, "programmes[*].rules")
        let ids = Set(programmes.map(\.id))
        for (i, p) in programmes.enumerated() {
            if p.rules.filter({ $0.kind == .amountByLevel }).count != 1 {
                throw fail(name, "$.programmes[\(i)].rules", "a programme needs exactly one amount-by-level rule")
            }
            for (j, r) in p.rules.enumerated() {
                let path = "$.programmes[\(i)].rules[\(j)]"
                func need(_ present: Bool, _ member: String) throws(SkillError) {
                    if !present { throw fail(name, path, "a \(r.kind.rawValue) rule needs \(member)") }
                }
                switch r.kind {
                case .period:
                    try need(!(r.periods ?? []).isEmpty, "periods")
                    if let bad = r.periods?.firstIndex(where: { $0.from > $0.until }) {
                        throw fail(name, "\(path).periods[\(bad)]", "the period ends before it starts")
                    }
                case .insuredMonths, .applyWithinMonths: try need(r.months != nil, "months")
                case .certificateKinds:
                    try need(r.kinds != nil, "kinds")
                    if let bad = r.kinds?.first(where: { !credentialTypes.contains($0) }) {
                        throw fail(name, "\(path).kinds", "no credential type '\(bad)' in credential-types.json")
                    }
                case .amountByLevel:
                    try need(r.amounts != nil, "amounts")
                    if let bad = r.amounts?.first(where: { !levels.contains($0.level) }) {
                        throw fail(name, "\(path).amounts", "\(bad.level) is not a five-level code")
                    }
                case .yearlyCap: try need(r.claims != nil, "claims")
                case .notWith:
                    try need(r.programme != nil, "programme")
                    if let other = r.programme, !ids.contains(other) || other == p.id {
                        throw fail(name, "\(path).programme", "'\(other)' is not another programme of this file")
                    }
                case .completedTraining, .oncePerOccupationLevel, .noLowerAfterHigher, .oncePerEvidence: break
                }
                let fits: Bool = switch r.kind {
                case .certificateKinds, .applyWithinMonths: p.evidence == .certificate
                case .completedTraining: p.evidence == .completion
                default: true
                }
                if !fits { throw fail(name, "\(path).kind", "a \(r.kind.rawValue) rule does not fit a programme paid against \(p.evidence.rawValue)s") }
            }
        }
    }
}
