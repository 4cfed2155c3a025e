import Foundation
import Runtime
import Testing

/// `DATABASE_URL` for PostgreSQL: what is accepted, and the one line for what is not.
@Suite struct PostgresURLTests {
    @Test func readsEveryPartAndNeverPrintsThePassword() throws {
        let url = try PostgresURL("postgres://app%40prod:s3cr%2Ft@db.internal:6432/market?sslmode=require")
        #expect(url.host == "db.internal")
        #expect(url.port == 6432)
        #expect(url.username == "app@prod")
        #expect(url.database == "market")
        #expect(url.sslMode == "require")
        #expect(url.description == "postgres://app@prod@db.internal:6432/market")
        #expect(!url.description.contains("s3cr"))
    }

    @Test func defaultsToPortFiveFourThreeTwoAndPreferredTLS() throws {
        let url = try PostgresURL("postgresql://app@localhost/market")
        #expect(url.port == 5432)
        #expect(url.sslMode == "prefer")
    }

    @Test(arguments: ["disable", "prefer", "require", "verify-ca", "verify-full"])
    func acceptsLibpqsTLSModes(mode: String) throws {
        #expect(try PostgresURL("postgres://app@localhost/market?sslmode=\(mode)").sslMode == mode)
    }

    @Test(arguments: [
        ("mysql://app@localhost/market", "must look like postgres://"),
        ("postgres://app@localhost/", "must name a database"),
        ("postgres://localhost/market", "must name a user"),
        ("postgres://app@localhost/market?sslmode=allow", "sslmode must be"),
    ])
    func refusesWhatCannotBeUsedInOneLine(text: String, message: String) {
        #expect {
            _ = try PostgresURL(text)
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("\n")
        }
    }
}
