// swift-tools-version:6.1
// Micro benchmarks for logq, with ordo-one/benchmark. A package of its own, so that the
// benchmark framework and its dependencies stay out of the main package. From this folder:
//
//     swift package --disable-sandbox benchmark
//
// See README.md.
import PackageDescription

// The logq package is `..`; SwiftPM names a path dependency by its folder, which is whatever
// the clone is called (`main` here), so take the name from the path rather than hard-coding it.
let logq = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "main"

let package = Package(
    name: "logq-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        // `traits: ["MallocInterposer"]` keeps the malloc statistics (mallocCountTotal) and turns
        // off the default RuntimeInterposer trait, whose package (ordo-one/swift-runtime-interposer)
        // is not available here. So no ARC metrics (retainCount, releaseCount) in these suites.
        // On Swift 6.3 nothing has to be installed (no jemalloc): see README.md.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Deterministic inputs shared by the suites: the repo's fixtures, or generated lines.
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "AuditCore", package: logq),
                .product(name: "AuditIngest", package: logq),
            ],
            path: "Benchmarks/Support"
        ),
    ]
)

// One executable per area, in Benchmarks/<Name>/, where the benchmark plugin looks for them.
for name in ["ParserBenchmarks", "BlockBenchmarks", "FilterBenchmarks"] {
    package.targets.append(
        .executableTarget(
            name: name,
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AuditCore", package: logq),
                .product(name: "AuditIngest", package: logq),
                .product(name: "SegmentStore", package: logq),
                .product(name: "LogQuery", package: logq),
            ],
            path: "Benchmarks/\(name)",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        )
    )
}
