// swift-tools-version:6.1
import PackageDescription

/// The functions `ticketing` runs first, in order: the release binary is linked with them together.
let startupOrder = Context.packageDirectory + "/runtime/startup.order"

let package = Package(
    name: "Ticketing",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ticketing", targets: ["ticketing"]),
        .executable(name: "ticketing-benchmarks", targets: ["TicketingBenchmarks"]),
        .executable(name: "ticketing-simulate", targets: ["TicketingSimulate"]),
        .library(name: "FunctionKit", targets: ["FunctionKit"]),
        .library(name: "Contracts", targets: ["Contracts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Spans exported over OTLP/HTTP only: the gRPC exporter would bring gRPC and HTTP/2 into the build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(
            name: "FunctionKit",
            dependencies: [
                "Contracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Contracts"),
        .target(
            name: "Auth",
            dependencies: [
                "FunctionKit", "Contracts",
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "Tickets", dependencies: ["FunctionKit", "Contracts"]),
        .target(name: "Orders", dependencies: ["FunctionKit", "Contracts"]),
        // libcurl, loaded on first use (CCurl); the HTTP client over it (CurlHTTP).
        .target(name: "CCurl"),
        // SQLite settings Swift cannot pass itself (sqlite3_db_config is variadic).
        .target(name: "CSQLiteSupport"),
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        .target(name: "Stripe", dependencies: ["CurlHTTP"]),
        .target(
            name: "Payments",
            dependencies: ["FunctionKit", "Contracts", "Stripe", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "Expiration", dependencies: ["FunctionKit", "Contracts"]),
        .target(
            name: "Web",
            dependencies: [
                "FunctionKit", .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Templates"), .copy("Assets")]
        ),
        .target(
            name: "Runtime",
            dependencies: [
                "FunctionKit", "Contracts", "CurlHTTP", "CSQLiteSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "ticketing",
            dependencies: [
                "FunctionKit", "Contracts", "Runtime", "Auth", "Tickets", "Orders", "Expiration", "Payments", "Stripe",
                "Web", "ChildProcess", "CurlHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            // Released as a position-dependent executable, as Go links its binaries: with the Swift standard
            // library and Foundation linked in, a PIE starts by applying ~150,000 relocations (3.6 MB of them
            // read, the pages they touch copied). Measured: `invoke` 1.5 ms sooner, `serve` 7 MB less resident.
            // The executable's own image is then not address-randomized; the libraries it loads still are.
            // Nor does it export its symbols (SwiftPM asks for `--export-dynamic`, for tests that link an
            // executable; a release binary has no such user): 4.8 MB of symbol tables that every start
            // searched (`dladdr`). Measured: `invoke` 2 ms sooner.
            //
            // Linked by lld with the functions start-up runs first and together (runtime/startup.order, written
            // by scripts/startup-order from callgrind). The kernel maps 64 KB around each page fault, and start-up
            // code scattered over 35 MB of .text made most of it resident. Measured with function sections (as
            // the image and scripts/bench build): an idle `serve` 37 → 29 MB resident.
            linkerSettings: [
                .unsafeFlags(
                    ["-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic"], .when(configuration: .release)),
                .unsafeFlags(
                    [
                        "-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(startupOrder)", "-Xlinker",
                        "--no-warn-symbol-ordering",
                    ], .when(platforms: [.linux], configuration: .release)),
            ]
        ),
        .target(name: "FunctionTesting", dependencies: ["FunctionKit", "Runtime"]),
        // Programs the tests and benchmarks start (ticketing, psql, Python's tools), on posix_spawn.
        .target(name: "CChildProcess"),
        .target(name: "ChildProcess", dependencies: ["CChildProcess"]),
        .target(
            name: "Simulation",
            dependencies: [
                "Auth", "Tickets", "Orders", "Expiration", "Payments", "Stripe", "FunctionKit", "FunctionTesting",
                "Runtime", .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "TicketingSimulate",
            dependencies: ["Simulation", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "TicketingBenchmarks",
            dependencies: [
                "Auth", "Tickets", "FunctionKit", "FunctionTesting", "Runtime", "Contracts", "ChildProcess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        .testTarget(name: "FunctionKitTests", dependencies: ["FunctionKit", "FunctionTesting"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "FunctionTesting"]),
        .testTarget(name: "TicketsTests", dependencies: ["Tickets", "FunctionTesting"]),
        .testTarget(
            name: "OrdersTests",
            dependencies: ["Orders", "Tickets", "Expiration", "Payments", "Stripe", "FunctionTesting"]),
        .testTarget(name: "ExpirationTests", dependencies: ["Expiration", "FunctionTesting"]),
        .testTarget(
            name: "PaymentsTests",
            dependencies: ["Payments", "Stripe", "Contracts", "FunctionKit", "FunctionTesting", "Runtime"]),
        .testTarget(
            name: "RuntimeTests",
            dependencies: [
                "Runtime", "FunctionTesting", "Auth", "Tickets", "Orders", "Expiration", "Payments", "Stripe", "Web",
                "ChildProcess", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "MarketplaceTests",
            dependencies: [
                "Tickets", "Orders", "Expiration", "Payments", "Stripe", "Runtime", "FunctionTesting", "Contracts",
                "FunctionKit",
            ]
        ),
        .testTarget(
            name: "TicketingEndToEndTests",
            dependencies: ["ticketing", "ChildProcess", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "StripeTests", dependencies: ["Stripe", "ChildProcess"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess"]),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: ["CurlHTTP", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "Auth", "Tickets", "Orders", "Expiration", "Payments", "Stripe", "Runtime", "FunctionTesting",
                "FunctionKit",
            ]
        ),
    ]
)
