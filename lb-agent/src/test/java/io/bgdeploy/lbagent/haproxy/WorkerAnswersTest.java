package io.bgdeploy.lbagent.haproxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers of HAProxy 2.6 to several commands in one round trip, as captured from its master CLI. */
class WorkerAnswersTest {

    private static final String GET_MAP = "type=str, case=sensitive, found=yes, idx=tree, key=\"x.example.com\", value=\"be_b\", type=\"str\"\n";
    private static final String SERVERS = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight\n"
            + "4 be_a 1 s1 127.0.0.1 2 0 1 1 2 1 0 2 0 0 0 0 - 1 - 0 0 - - 0\n";

    @Test
    void aSwitchAndItsReadBackAreTwoAnswersTheFirstEmpty() {
        assertThat(WorkerAnswers.split("\n" + GET_MAP + "\n", 2)).containsExactly("", GET_MAP);
    }

    @Test
    void refusalsAndReadsKeepTheirOrder() {
        String text = "entry not found.\n\n" + GET_MAP + "\n" + SERVERS + "\n" + "type=str, case=sensitive, found=no\n\n";

        assertThat(WorkerAnswers.split(text, 4))
                .containsExactly("entry not found.\n", GET_MAP, SERVERS, "type=str, case=sensitive, found=no\n");
    }

    @Test
    void newServersAndEmptyAnswersInARow() {
        String text = "New server registered.\n\n\n\nIP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'\n\n";

        assertThat(WorkerAnswers.split(text, 4)).containsExactly("New server registered.\n", "", "",
                "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'\n");
    }

    @Test
    void anAnswerThatDoesNotEndWithAnEmptyLineOrAnotherCountIsNotTakenApart() {
        assertThat(WorkerAnswers.split("Server deleted.\nNo such server.\n", 2)).isNull();
        assertThat(WorkerAnswers.split("\n" + GET_MAP + "\n", 3)).isNull();
        assertThat(WorkerAnswers.split("", 1)).isNull();
    }
}
