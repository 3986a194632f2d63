// SPDX-License-Identifier: MIT
// CRC-32C: the standard check value, RFC 3720's test vectors (iSCSI, appendix B.4), chaining,
// and the property the disk relies on: every single-bit flip changes the checksum.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/crc32c.h"
#include "core/types.h"

namespace raftlink {
namespace {

Bytes bytes_from(std::initializer_list<int> values) {
    Bytes out;
    for (const int value : values) out.push_back(static_cast<std::uint8_t>(value));
    return out;
}

Bytes repeated(std::uint8_t value, std::size_t count) { return Bytes(count, value); }

TEST_SUITE("unit") {
    TEST_CASE("crc32c: the check value and the empty input") {
        CHECK(crc32c("123456789") == 0xE3069283U);
        CHECK(crc32c("") == 0U);
        CHECK(crc32c(ByteView()) == 0U);
        CHECK(crc32c("a") == 0xC1D04330U);
    }

    TEST_CASE("crc32c: RFC 3720 appendix B.4 vectors") {
        Bytes ascending;
        Bytes descending;
        for (int i = 0; i < 32; ++i) {
            ascending.push_back(static_cast<std::uint8_t>(i));
            descending.push_back(static_cast<std::uint8_t>(31 - i));
        }
        CHECK(crc32c(repeated(0x00, 32)) == 0x8A9136AAU);
        CHECK(crc32c(repeated(0xFF, 32)) == 0x62A8AB43U);
        CHECK(crc32c(ascending) == 0x46DD794EU);
        CHECK(crc32c(descending) == 0x113FDB5CU);
        // An iSCSI SCSI Read (10) command PDU.
        const Bytes read_command = bytes_from(
            {0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
             0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
        CHECK(crc32c(read_command) == 0xD9963A56U);
    }

    TEST_CASE("crc32c: extending over a split equals the checksum of the whole") {
        const std::string text = "The quick brown fox jumps over the lazy dog";
        const auto* data = reinterpret_cast<const std::uint8_t*>(text.data());
        const ByteView whole(data, text.size());
        for (std::size_t split = 0; split <= whole.size(); ++split) {
            CAPTURE(split);
            const std::uint32_t head = crc32c(whole.first(split));
            CHECK(crc32c_extend(head, whole.subspan(split)) == crc32c(whole));
        }
        CHECK(crc32c(whole) == crc32c(text));
    }

    TEST_CASE("crc32c: every single-bit flip of a record-sized input changes the checksum") {
        Bytes data;
        for (std::size_t i = 0; i < 300; ++i) data.push_back(static_cast<std::uint8_t>(i * 7));
        const std::uint32_t clean = crc32c(data);
        for (std::size_t bit = 0; bit < data.size() * 8; ++bit) {
            data[bit / 8] = static_cast<std::uint8_t>(data[bit / 8] ^ (1U << (bit % 8)));
            CHECK(crc32c(data) != clean);
            data[bit / 8] = static_cast<std::uint8_t>(data[bit / 8] ^ (1U << (bit % 8)));
        }
        CHECK(crc32c(data) == clean);
    }

    TEST_CASE("crc32c: extending over a record that ends with its own checksum") {
        // Every length the factors cover and some beyond, from several starting values: the
        // shortcut and reading the bytes agree.
        std::uint32_t noise = 777;
        for (std::size_t length = 0; length < 1300; ++length) {
            Bytes record(length);
            for (std::uint8_t& byte : record) {
                noise = noise * 1103515245U + 12345U;
                byte = static_cast<std::uint8_t>(noise >> 16);
            }
            const std::uint32_t own = crc32c(record);
            for (int shift = 0; shift < 32; shift += 8) {
                record.push_back(static_cast<std::uint8_t>(own >> shift));
            }
            CHECK(crc32c(record) == 0x48674BC7U);
            for (const std::uint32_t start : {0U, 0xFFFFFFFFU, 0xE3069283U, noise}) {
                CAPTURE(length);
                REQUIRE(crc32c_extend_checked_record(start, record) ==
                        crc32c_extend(start, record));
            }
        }
    }

    TEST_CASE("crc32c: the CPU's instruction and the tables agree on every length, offset and "
              "starting value") {
        if (!detail::crc32c_hardware_available()) {
            MESSAGE("this CPU has no CRC-32C instruction; only the tables run here");
            return;
        }
        Bytes data(300);
        std::uint32_t noise = 12345;
        for (std::uint8_t& byte : data) {
            noise = noise * 1103515245U + 12345U;  // any fixed bytes will do
            byte = static_cast<std::uint8_t>(noise >> 16);
        }
        for (std::size_t offset = 0; offset < 9; ++offset) {
            for (std::size_t length = 0; offset + length <= data.size(); ++length) {
                const ByteView piece = ByteView(data).subspan(offset, length);
                for (const std::uint32_t start : {0U, 0xFFFFFFFFU, 0xE3069283U}) {
                    CAPTURE(offset);
                    CAPTURE(length);
                    REQUIRE(detail::crc32c_extend_hardware(start, piece) ==
                            detail::crc32c_extend_table(start, piece));
                }
            }
        }
    }
}

}  // namespace
}  // namespace raftlink
