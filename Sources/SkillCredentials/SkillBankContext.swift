import SkillCore
import SkillCrypto

/// The SkillBank JSON-LD context: every term and type of ours that the VC 2.0 and Open Badges
/// 3.0 contexts do not define (the 一试双证 twin link, the trust list, the learning-account
/// statement, and the JWT `jti` claim the OB 3.0 JWT profile adds, which the VC 2.0 context
/// defines beside `iss`, `sub`, `nbf` and `exp` but not itself). It is compiled into the binary, served by each registry at
/// `{base}/contexts/skillbank-v1.jsonld`, and pinned in every document that declares it by a
/// VC 2.0 §5.3 `relatedResource` entry with its `digestMultibase`.
///
/// Our terms live under `urn:skillbank:vocab:`: a name, not a place (no registry owns a domain
/// for the vocabulary, and a URN cannot be mistaken for a page to fetch). Nested members are
/// defined in property-scoped contexts, so short words such as `kind` or `level` mean something
/// only inside the member that uses them. The bytes never change: a new term is a new version
/// at a new URL, since every document pins these bytes.
public enum SkillBankContext {
    /// Where a registry serves it, under its base URL.
    public static let path = "/contexts/skillbank-v1.jsonld"

    /// The context document, byte for byte as served and digested.
    public static let text = #"""
        {
          "@context": {
            "@version": 1.1,
            "@protected": true,
            "RelatedCertificate": "urn:skillbank:vocab:RelatedCertificate",
            "SkillBankTrustList": "urn:skillbank:vocab:SkillBankTrustList",
            "TrustList": "urn:skillbank:vocab:TrustList",
            "SkillBankLearningAccountStatement": "urn:skillbank:vocab:SkillBankLearningAccountStatement",
            "jti": {"@id": "https://www.iana.org/assignments/jwt#jti", "@type": "@id"},
            "registryKeys": {
              "@id": "urn:skillbank:vocab:registryKeys",
              "@container": "@set",
              "@context": {
                "did": {"@id": "urn:skillbank:vocab:did", "@type": "@id"},
                "validFrom": {"@id": "https://www.w3.org/2018/credentials#validFrom", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
                "validUntil": {"@id": "https://www.w3.org/2018/credentials#validUntil", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
              }
            },
            "institutions": {
              "@id": "urn:skillbank:vocab:institutions",
              "@container": "@set",
              "@context": {
                "kind": "urn:skillbank:vocab:institutionKind",
                "code": "urn:skillbank:vocab:registrationCode",
                "status": "urn:skillbank:vocab:institutionStatus",
                "keys": {
                  "@id": "urn:skillbank:vocab:keys",
                  "@container": "@set",
                  "@context": {
                    "did": {"@id": "urn:skillbank:vocab:did", "@type": "@id"},
                    "validFrom": {"@id": "https://www.w3.org/2018/credentials#validFrom", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
                    "validUntil": {"@id": "https://www.w3.org/2018/credentials#validUntil", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
                  }
                },
                "scopes": {
                  "@id": "urn:skillbank:vocab:accreditationScopes",
                  "@container": "@set",
                  "@context": {
                    "occupation": "urn:skillbank:vocab:occupationCode",
                    "levels": {"@id": "urn:skillbank:vocab:levels", "@container": "@set"},
                    "validFrom": {"@id": "https://www.w3.org/2018/credentials#validFrom", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
                    "validUntil": {"@id": "https://www.w3.org/2018/credentials#validUntil", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
                  }
                }
              }
            },
            "asOf": {"@id": "urn:skillbank:vocab:asOf", "@type": "http://www.w3.org/2001/XMLSchema#date"},
            "balances": {
              "@id": "urn:skillbank:vocab:balances",
              "@container": "@set",
              "@context": {
                "kind": "urn:skillbank:vocab:accountKind",
                "scope": "urn:skillbank:vocab:accountScope",
                "level": "urn:skillbank:vocab:level",
                "credits": "urn:skillbank:vocab:credits",
                "tenths": "urn:skillbank:vocab:creditTenths"
              }
            },
            "certificates": {
              "@id": "urn:skillbank:vocab:certificates",
              "@container": "@set",
              "@context": {
                "number": "urn:skillbank:vocab:certificateNumber",
                "kind": "urn:skillbank:vocab:credentialType",
                "occupation": "urn:skillbank:vocab:occupationCode",
                "level": "urn:skillbank:vocab:level",
                "issued": {"@id": "urn:skillbank:vocab:issued", "@type": "http://www.w3.org/2001/XMLSchema#date"},
                "status": "urn:skillbank:vocab:certificateStatus"
              }
            },
            "conversions": {
              "@id": "urn:skillbank:vocab:conversions",
              "@container": "@set",
              "@context": {
                "rule": "urn:skillbank:vocab:conversionRule",
                "version": "urn:skillbank:vocab:ruleVersion",
                "programme": "urn:skillbank:vocab:programme",
                "evidence": "urn:skillbank:vocab:evidence",
                "credits": "urn:skillbank:vocab:credits",
                "status": "urn:skillbank:vocab:conversionStatus",
                "reversal_reason": "urn:skillbank:vocab:reversalReason"
              }
            }
          }
        }

        """#

    /// The bytes served and digested.
    public static let bytes: [UInt8] = Array(text.utf8)
    /// `digestMultibase` of the bytes (SHA-256 multihash, base64url).
    public static let digestMultibase = RelatedResourceDigest.multibase(of: bytes)

    /// The context as a registry publishes it.
    public struct Reference: Sendable, Hashable {
        /// `{base}/contexts/skillbank-v1.jsonld`.
        public let url: String
        public let digestMultibase: String

        /// The VC 2.0 §5.3 entry that pins it.
        public var relatedResource: JSONValue {
            ["id": .string(url), "digestMultibase": .string(digestMultibase), "mediaType": "application/ld+json"]
        }
    }

    /// The context of the registry at `baseURL`.
    public static func reference(baseURL: String) -> Reference {
        Reference(url: baseURL + path, digestMultibase: digestMultibase)
    }
}
