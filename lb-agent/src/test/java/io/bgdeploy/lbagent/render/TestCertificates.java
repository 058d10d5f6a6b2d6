package io.bgdeploy.lbagent.render;

/** A self-signed certificate and key for example.com (test only, never trusted anywhere). */
final class TestCertificates {

    static final String SELF_SIGNED_PEM =
            "-----BEGIN CERTIFICATE-----\n" +
            "MIIDDzCCAfegAwIBAgIUREKX6tEfukg0lrEuzOSUwdr8czAwDQYJKoZIhvcNAQEL\n" +
            "BQAwFjEUMBIGA1UEAwwLZXhhbXBsZS5jb20wIBcNMjYxMTI0MTQyOTAzWhgPMjEy\n" +
            "NjEwMzExNDI5MDNaMBYxFDASBgNVBAMMC2V4YW1wbGUuY29tMIIBIjANBgkqhkiG\n" +
            "9w0BAQEFAAOCAQ8AMIIBCgKCAQEA260e//5WeBRwwer9Zcn7s3uGd0LaJWrcYN4N\n" +
            "q7ksW/em7q6biHMk6sWOI0rFDM4NEIgiEPbUHggjSGU066Zn1PJxFwajk1HqlovA\n" +
            "cE8txKMIIAEkBEABnU3TuvtiDBC29CBEWsB7K9Xkf9B5kLk1BujtJu9TqZY58etD\n" +
            "Uj78KZfiM9SWvHXTc7s+u6aTbMGTQCPW0gb0hcF+T/4PPQn/40CQbL0PA4z9UPeA\n" +
            "1h0WSRYMo1Tt33gq7ZYjrydTMuUe4JT/4mw1YceDgECQGC7PdFLCwqPI5qVS6Nv7\n" +
            "eqEHHu5O+oinI/ZeMd0rQ6nQRRV28g9uVXJaS56YugENTukozQIDAQABo1MwUTAd\n" +
            "BgNVHQ4EFgQUXlLfqoXLH5lCfwgCdqHiSZMdk58wHwYDVR0jBBgwFoAUXlLfqoXL\n" +
            "H5lCfwgCdqHiSZMdk58wDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOC\n" +
            "AQEATEXbFbTt5XKN/8dtJvfzjQ8NQ/P8sqYEtVGVisVA/BmaWxfESSxa3ZNAiFqB\n" +
            "CFsv8ZHoCzmVEBuItoCJ8Y35o9HjvhG0iVs4qOFMZUchBfl5PEVaEYTRXqofRr+w\n" +
            "PYujYBhR36B8u+v5jq1gJnnb4H2YbmpZvJP5tOL2Z8Sy3K2btBZWZj4Oj0zuvCXx\n" +
            "Dts7TWFFYpXLciqJqj96o4BHxxChxdFwrR9cohNl2aUVDkLZJT0eBHX4ZDbWhRXV\n" +
            "5c26I/d2MOXMpP6LWlPBV6LtclLwkawtPdcPWoes5BGdLUOSuSwCn/kaorxyaeLY\n" +
            "FHV2wkDYaxL1sJcMcjFtF+JL5A==\n" +
            "-----END CERTIFICATE-----\n" +
            "-----BEGIN PRIVATE KEY-----\n" +
            "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDbrR7//lZ4FHDB\n" +
            "6v1lyfuze4Z3Qtolatxg3g2ruSxb96burpuIcyTqxY4jSsUMzg0QiCIQ9tQeCCNI\n" +
            "ZTTrpmfU8nEXBqOTUeqWi8BwTy3EowggASQEQAGdTdO6+2IMELb0IERawHsr1eR/\n" +
            "0HmQuTUG6O0m71Opljnx60NSPvwpl+Iz1Ja8ddNzuz67ppNswZNAI9bSBvSFwX5P\n" +
            "/g89Cf/jQJBsvQ8DjP1Q94DWHRZJFgyjVO3feCrtliOvJ1My5R7glP/ibDVhx4OA\n" +
            "QJAYLs90UsLCo8jmpVLo2/t6oQce7k76iKcj9l4x3StDqdBFFXbyD25VclpLnpi6\n" +
            "AQ1O6SjNAgMBAAECggEAEQ+3EqbMTHM59rWrjJZNaDk1zllw2+saxqM4aJfvLA1l\n" +
            "96+0ALsAqQNC8NbDyyTNuvT3wF2LR/HV26+QlqTL96wEwIcReUWpdJvSDGb55QXM\n" +
            "gb/U7keSWIdM5H7VtJ4vt3IyHOJKLrNkFdE5P9ZCmhDJKnb4BnnWckWVavPdXdV7\n" +
            "M7z+xTB4/1wLAMrsHKhAsEAf7JH+NwJ3BoP5pj8FUFT/HI0/cxTxYdIM7lJcL/yS\n" +
            "O0Hrvzr9BaqPqUvzkV/BLhU4rF5lqf7F0o82G+L7jPL3h+7FqUt1ezPVrdObbtue\n" +
            "leGW+s4PGX2MeBpYxeUtDYt9hkyRA3EaT1Bfb5d+AQKBgQDugjKyEna8+9ZlhCtC\n" +
            "PGUj52AFwMwgX4hb3bldcU7Q+7vVOukCO48WTJnMReVT+OHSaWGi7+2sb6sf5In7\n" +
            "rv0HoUq5RWODaI+2whu/Gx2MchegARdS5g5kp6K52HlnKKcVxlxr2SQ5Apb2F++z\n" +
            "sRpT/4XPyEw7csUqByAxI4ThQQKBgQDryVyPwd/LiaVbvV60SmU4GQ0JdocJNcfE\n" +
            "v5I9mpwfi/duXfgPlMWmTLflblrW0OuXR7kzvgOXTfU1SeEyOwNsWqFZJHlaiqX0\n" +
            "TtcG8yee82sXvx6Jg2ZoVkf/qe+iQI+TQaSYBA3mcIYvQOkK9nXokb5GPpWB7V0d\n" +
            "zc1O19sYjQKBgHsVq83j420B1hHLlHt5KYTO2en+Jhmq03b9RLTpTZBh6PxQi4EA\n" +
            "dYY/f7tAcunT7c4lXiK1CQXNFxW9XkwJcUEnxqU4HvPo2QmqwKDuAGDDXFfRWFUK\n" +
            "rnDZZgvcoEJRY3DETlvF0oCtSnSzw5sLEZg5rLefGWAwiXl39fAF8YRBAoGBAJPW\n" +
            "2da5dR0l3Sy8fBkHXJfj/SylyN2Zfvx6MbO2sZWGKUpmWRdL7PHswJF2tDZlIJLm\n" +
            "QdWTmqTQGKOlAzJ/lhHmcax3FjATJyMcG+8bnwgnEEr/ZqJKZXeeQd6oKrzNRjjK\n" +
            "u+0k/aIzg681P+nDxwJf/7IDo7Knpe7+D3EUHygxAoGBAMF0qwySBnziRi8jFTk4\n" +
            "7pxW1K5kvwo6z1u2Xa6H/gzhd2KD0zlUpp/lmw0g7gQPuFRx98NYMrva9auVeNu/\n" +
            "KN3NEhxw7nX/aNG+jsTvJb7S8vcYK5P0LjcNizetQp/Z+S8mKPRdFFG7PUnLWEDL\n" +
            "9Hgj10KiyeeyKAEq6ZRhtaMK\n" +
            "-----END PRIVATE KEY-----\n";

    private TestCertificates() {
    }
}
