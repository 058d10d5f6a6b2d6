package io.bgdeploy.infra;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** wrk's summary, as Debian's wrk 4 prints it, read into counts. */
class WrkTest {

    private static final String NON_2XX = """
            Running 2s test @ http://127.0.0.1:18951/nothere
              1 threads and 2 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.58ms    3.73ms  26.09ms   86.37%
                Req/Sec   690.30    221.37     1.10k    70.00%
              Latency Distribution
                 50%    1.94ms
                 75%    4.78ms
                 90%    8.66ms
                 99%   17.53ms
              1379 requests in 2.01s, 700.27KB read
              Non-2xx or 3xx responses: 1379
            Requests/sec:    685.66
            Transfer/sec:    348.19KB
            """;

    private static final String SOCKET_ERRORS = """
            Running 24h test @ http://127.0.0.1:8000/
              2 threads and 16 connections
              Latency Distribution
                 50%  850.00us
                 75%    1.20ms
                 90%    2.31ms
                 99%    1.02s
              2345678 requests in 8.50m, 401.23MB read
              Socket errors: connect 1, read 20, write 3, timeout 4
            Requests/sec:   4599.37
            Transfer/sec:    805.70KB
            """;

    @Test
    void countsEveryResponseThatIsNot2xx() {
        Wrk.Result r = Wrk.parse(NON_2XX);

        assertThat(r.requests()).isEqualTo(1379);
        assertThat(r.non2xx()).isEqualTo(1379);
        assertThat(r.failed()).isZero();
        assertThat(r.seconds()).isEqualTo(2.01);
        assertThat(r.latencyMillis()).containsEntry(50, 1.94).containsEntry(99, 17.53);
    }

    @Test
    void countsEveryKindOfSocketErrorAsAFailedRequest() {
        Wrk.Result r = Wrk.parse(SOCKET_ERRORS);

        assertThat(r.requests()).isEqualTo(2345678);
        assertThat(r.failed()).isEqualTo(28);
        assertThat(r.readErrors()).isEqualTo(20);
        assertThat(r.seconds()).isEqualTo(510.0);
        assertThat(r.requestsPerSecond()).isEqualTo(4599.37);
        assertThat(r.latencyMillis()).containsEntry(50, 0.85).containsEntry(99, 1020.0);
    }

    @Test
    void anOutputWithoutSummaryIsAnError() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:18959 Connection refused"))
                .hasMessageContaining("Connection refused");
    }
}
