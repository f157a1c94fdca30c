package io.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Kryo;
import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.conf.SluiceConf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KryoSerializerTest {
    record Reading(String sensor, double value) {
    }

    /** Registers {@link Reading}; used by name through sluice.kryo.registrator. */
    public static final class ReadingRegistrator implements KryoRegistrator {
        @Override
        public void registerClasses(Kryo kryo) {
            kryo.register(Reading.class);
        }
    }

    private final KryoSerializer serializer = new KryoSerializer(new SluiceConf(false));

    private <T> T roundTrip(T value) {
        return serializer.deserialize(serializer.serialize(value));
    }

    @Test
    void valuesRoundTrip() {
        assertThat(roundTrip(Pair.of("a", 1))).isEqualTo(Pair.of("a", 1));
        assertThat(roundTrip(new Time(3000))).isEqualTo(new Time(3000));
        assertThat(roundTrip(new Reading("s1", 80.5))).isEqualTo(new Reading("s1", 80.5));
        assertThat(roundTrip(Optional.of(List.of(1, 2)))).isEqualTo(Optional.of(List.of(1, 2)));
        var map = new HashMap<String, List<Integer>>();
        map.put("k", new ArrayList<>(List.of(1, 2, 3)));
        assertThat(roundTrip(map)).isEqualTo(Map.of("k", List.of(1, 2, 3)));
    }

    @Test
    void lambdasKeepTheirCapturedValues() throws Exception {
        int offset = 40;
        String prefix = "n=";
        Function<Integer, String> f = x -> prefix + (x + offset);
        Function<Integer, String> copy = roundTrip(f);
        assertThat(copy.call(2)).isEqualTo("n=42");

        Function2<Long, Long, Long> sum = Long::sum;
        assertThat(roundTrip(sum).call(20L, 22L)).isEqualTo(42L);
    }

    @Test
    void registratorFromConfigurationIsApplied() {
        var conf = new SluiceConf(false)
                .set(SluiceConf.KRYO_REGISTRATOR, ReadingRegistrator.class.getName())
                .set(SluiceConf.KRYO_REGISTRATION_REQUIRED, true);
        var strict = new KryoSerializer(conf);
        var bytes = strict.serialize(new Reading("s2", 1.0));
        assertThat((Reading) strict.deserialize(bytes)).isEqualTo(new Reading("s2", 1.0));
        // a registered class is written as a small id, not its (long) name
        assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Reading");
    }

    @Test
    void unregisteredClassIsNamedWhenRegistrationIsRequired() {
        var strict = new KryoSerializer(new SluiceConf(false).set(SluiceConf.KRYO_REGISTRATION_REQUIRED, true));
        assertThatThrownBy(() -> strict.serialize(new Reading("s3", 2.0)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(Reading.class.getName());
    }

    @Test
    void missingRegistratorClassFailsWithTheKeyAndClass() {
        var conf = new SluiceConf(false).set(SluiceConf.KRYO_REGISTRATOR, "com.example.Missing");
        assertThatThrownBy(() -> new KryoSerializer(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sluice.kryo.registrator")
                .hasMessageContaining("com.example.Missing");
    }
}
