package io.bgdeploy.logshipper.model;

import io.bgdeploy.logshipper.model.GelfTransport.Receipt;
import io.bgdeploy.logshipper.model.GelfTransport.Refusal;
import io.bgdeploy.logshipper.model.InFlightRecords.Partition;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain unit test: the at-least-once bookkeeping, with receipts as a transport would give them. */
class InFlightRecordsTest {

    private static final Partition P0 = new Partition("logs", 0);
    private static final Partition P1 = new Partition("logs", 1);

    private final InFlightRecords<String, GelfMessage> inFlight = new InFlightRecords<>();
    private final List<String> wire = new ArrayList<>();

    private static GelfMessage message(String text) {
        return new GelfMessage("pod", text, null, BigDecimal.ONE, 6, GelfFields.NONE);
    }

    private void add(Partition p, long offset, String text) {
        inFlight.add(p, offset, text, text == null ? null : message(text), 10);
    }

    private void send() throws IOException {
        inFlight.sendUnsent((m, again) -> wire.add((again ? "again " : "") + m.shortMessage()));
    }

    @Test
    void offsetsAreCommittedPerPartitionOnlyUpToTheFirstUnsettledRecord() throws IOException {
        add(P0, 10, "a");
        add(P1, 20, "b");
        add(P0, 11, "c");
        send();

        var first = inFlight.settle(Receipt.delivered(2));
        assertThat(first.commits()).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 11L, P1, 21L));
        assertThat(first.delivered()).isEqualTo(2);
        assertThat(inFlight.size()).isEqualTo(1);

        var second = inFlight.settle(Receipt.delivered(1));
        assertThat(second.commits()).containsExactly(Map.entry(P0, 12L));
        assertThat(inFlight.isEmpty()).isTrue();
        assertThat(inFlight.bytes()).isZero();
    }

    @Test
    void afterATransportFailureEveryUnsettledMessageIsSentAgainAndCountedAsAResend() throws IOException {
        add(P0, 1, "a");
        add(P0, 2, "b");
        send();
        inFlight.settle(Receipt.delivered(1));
        add(P0, 3, "c");
        inFlight.sendAllAgain();
        send();

        assertThat(wire).containsExactly("a", "b", "again b", "c");
        assertThat(inFlight.settle(Receipt.delivered(2)).commits()).containsExactly(Map.entry(P0, 4L));
    }

    @Test
    void aRecordWithoutMessageIsSettledAtOnceButNeverAheadOfAnUnsettledOne() throws IOException {
        add(P0, 1, "a");
        add(P0, 2, null);
        add(P0, 3, "c");
        send();
        assertThat(wire).containsExactly("a", "c");

        assertThat(inFlight.settle(Receipt.NOTHING).commits()).isEmpty();
        assertThat(inFlight.settle(Receipt.delivered(1)).commits()).containsExactly(Map.entry(P0, 3L));
        assertThat(inFlight.settle(Receipt.delivered(1)).commits()).containsExactly(Map.entry(P0, 4L));

        add(P1, 7, null);
        assertThat(inFlight.settle(Receipt.NOTHING).commits()).containsExactly(Map.entry(P1, 8L));
    }

    @Test
    void aRefusedRecordIsHandedOverWithItsReasonAndCommittedPast() throws IOException {
        add(P0, 1, "a");
        add(P0, 2, "poison");
        add(P0, 3, "c");
        send();

        var settlement = inFlight.settle(new Receipt(3, List.of(new Refusal(1, "413 too large"))));
        assertThat(settlement.refused()).singleElement().satisfies(r -> {
            assertThat(r.record()).isEqualTo("poison");
            assertThat(r.offset()).isEqualTo(2);
            assertThat(r.reason()).isEqualTo("413 too large");
        });
        assertThat(settlement.delivered()).isEqualTo(2);
        assertThat(settlement.commits()).containsExactly(Map.entry(P0, 4L));
    }

    @Test
    void recordsOfALostPartitionAreNeverCommittedAndTheTransportsNumberingStaysIntact() throws IOException {
        add(P0, 1, "a");
        add(P1, 5, "b");
        add(P0, 2, "c");
        send();
        add(P1, 6, "not sent yet");
        inFlight.forget(P1::equals);
        assertThat(inFlight.size()).as("the unsent record of P1 is gone, the sent one waits for its receipt").isEqualTo(3);

        var settlement = inFlight.settle(Receipt.delivered(3));
        assertThat(settlement.commits()).containsExactly(Map.entry(P0, 3L));
        assertThat(settlement.delivered()).isEqualTo(2);
        assertThat(inFlight.isEmpty()).isTrue();
        send();
        assertThat(wire).containsExactly("a", "b", "c");
    }

    @Test
    void aReceiptForMoreThanWasSentIsABug() throws IOException {
        add(P0, 1, "a");
        send();
        add(P0, 2, "b");
        assertThatThrownBy(() -> inFlight.settle(Receipt.delivered(2))).isInstanceOf(IllegalStateException.class);
    }
}
