import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import Testing

@Suite struct MerkleTreeTests {
    static func reference() throws -> (JSONValue, InMemoryMerkleTree) {
        let v = try Fixture.json("merkle_rfc6962_reference")
        var tree = InMemoryMerkleTree()
        for leaf in v["leaves_hex"]!.arrayValue! { tree.append(Hex.decode(leaf.stringValue!)!) }
        return (v, tree)
    }

    @Test func hasherAndRootsOfEverySize() throws {
        let (v, tree) = try Self.reference()
        for h in v["hasher"]!.arrayValue! {
            if let root = h["root_hex"]?.stringValue { #expect(Hex.encode(MerkleTree.emptyRoot) == root) }
            if let leaf = h["leaf_hex"]?.stringValue { #expect(Hex.encode(MerkleTree.leafHash(Hex.decode(leaf)!)) == h["leaf_hash_hex"]!.stringValue!) }
        }
        for (size, root) in v["roots_hex_by_tree_size"]!.objectValue! {
            #expect(try Hex.encode(MerkleTree.root(tree, size: Int(size)!)) == root.stringValue!, "size \(size)")
        }
    }

    @Test func referenceInclusionAndConsistencyProofs() throws {
        let (v, tree) = try Self.reference()
        let roots = v["roots_hex_by_tree_size"]!.objectValue!
        for p in v["inclusion_proofs"]!.arrayValue! {
            let index = p["leaf_index"]!.intValue!, size = p["tree_size"]!.intValue!
            let expected = p["path_hex"]!.arrayValue!.map { $0.stringValue! }
            #expect(try MerkleTree.inclusionProof(tree, index: index, size: size)!.map(Hex.encode) == expected, "\(index)/\(size)")
            #expect(MerkleTree.verifyInclusion(leafIndex: index, treeSize: size, leafHash: tree.leafHashes[index],
                                               proof: expected.map { Hex.decode($0)! }, root: Hex.decode(roots[String(size)]!.stringValue!)!))
        }
        for p in v["consistency_proofs"]!.arrayValue! {
            let first = p["first"]!.intValue!, second = p["second"]!.intValue!
            let expected = p["path_hex"]!.arrayValue!.map { $0.stringValue! }
            #expect(try MerkleTree.consistencyProof(tree, first: first, second: second)!.map(Hex.encode) == expected, "\(first)→\(second)")
            #expect(MerkleTree.verifyConsistency(first: first, second: second, firstRoot: Hex.decode(roots[String(first)]!.stringValue!)!,
                                                 secondRoot: Hex.decode(roots[String(second)]!.stringValue!)!, proof: expected.map { Hex.decode($0)! }))
        }
    }

    @Test func transparencyDevProbes() throws {
        let v = try Fixture.json("merkle_transparency_dev_probes")
        func b64(_ s: JSONValue?) -> [UInt8] { s?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? [] }
        var count = 0
        for p in v["inclusion"]!.arrayValue! {
            // Indices past 2^53 (the probes use 2^64 - 1) are not representable: treated as invalid, as they are.
            let ok = MerkleTree.verifyInclusion(leafIndex: p["leafIdx"]!.intValue ?? -1, treeSize: p["treeSize"]!.intValue ?? -1, leafHash: b64(p["leafHash"]),
                                                proof: (p["proof"]?.arrayValue ?? []).map(b64), root: b64(p["root"]))
            #expect(ok == !p["wantErr"]!.boolValue!, "\(p["file"]!)")
            count += 1
        }
        for p in v["consistency"]!.arrayValue! {
            let ok = MerkleTree.verifyConsistency(first: p["size1"]!.intValue!, second: p["size2"]!.intValue!, firstRoot: b64(p["root1"]),
                                                  secondRoot: b64(p["root2"]), proof: (p["proof"]?.arrayValue ?? []).map(b64))
            #expect(ok == !p["wantErr"]!.boolValue!, "\(p["file"]!)")
            count += 1
        }
        #expect(count > 50)
    }

    /// Every proof our generator makes for trees up to 40 leaves verifies, and a flipped bit fails.
    @Test func generatedProofsVerify() throws {
        var tree = InMemoryMerkleTree()
        var roots: [[UInt8]] = [MerkleTree.emptyRoot]
        for i in 0..<40 {
            tree.append(Array("leaf \(i)".utf8))
            roots.append(tree.root)
        }
        for size in 1...40 {
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(tree, index: index, size: size)!
                #expect(MerkleTree.verifyInclusion(leafIndex: index, treeSize: size, leafHash: tree.leafHashes[index], proof: proof, root: roots[size]))
                if var first = proof.first {
                    first[0] ^= 1
                    #expect(!MerkleTree.verifyInclusion(leafIndex: index, treeSize: size, leafHash: tree.leafHashes[index], proof: [first] + proof.dropFirst(), root: roots[size]))
                }
            }
            for first in 1...size {
                let proof = try MerkleTree.consistencyProof(tree, first: first, second: size)!
                #expect(MerkleTree.verifyConsistency(first: first, second: size, firstRoot: roots[first], secondRoot: roots[size], proof: proof), "\(first)→\(size)")
                if first < size {
                    var wrong = roots[size]
                    wrong[31] ^= 1
                    #expect(!MerkleTree.verifyConsistency(first: first, second: size, firstRoot: roots[first], secondRoot: wrong, proof: proof))
                }
            }
        }
        #expect(try MerkleTree.inclusionProof(tree, index: 5, size: 5) == nil)
        #expect(try MerkleTree.consistencyProof(tree, first: 0, second: 5) == nil)
    }
}
