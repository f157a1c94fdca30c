package io.sluice.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.CorruptedFrameException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTypeTest {

    /** The ids are the wire protocol: changing one breaks every peer of another version. */
    @Test
    void idsArePinned() {
        var expected = new LinkedHashMap<MessageType, Integer>();
        expected.put(MessageType.RPC_REQUEST, 1);
        expected.put(MessageType.RPC_RESPONSE, 2);
        expected.put(MessageType.RPC_FAILURE, 3);
        expected.put(MessageType.ONE_WAY, 4);
        expected.put(MessageType.STREAM_REQUEST, 5);
        expected.put(MessageType.STREAM_CHUNK, 6);
        expected.put(MessageType.STREAM_END, 7);
        expected.put(MessageType.STREAM_FAILURE, 8);
        expected.put(MessageType.STREAM_CANCEL, 9);
        assertThat(MessageType.values()).hasSize(expected.size());
        for (Map.Entry<MessageType, Integer> e : expected.entrySet()) {
            assertThat(e.getKey().id()).as(e.getKey().name()).isEqualTo(e.getValue().byteValue());
            assertThat(MessageType.fromId(e.getValue().byteValue())).isEqualTo(e.getKey());
        }
    }

    @Test
    void unknownIdsAreRejected() {
        for (int id : new int[] {0, 10, 127, -1, -128}) {
            assertThatThrownBy(() -> MessageType.fromId((byte) id))
                    .isInstanceOf(CorruptedFrameException.class)
                    .hasMessageContaining("unknown message type id " + id);
        }
    }
}
