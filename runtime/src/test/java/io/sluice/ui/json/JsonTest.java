package io.sluice.ui.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void stringsAreEscapedSoTheyParseBackUnchanged() {
        String nasty = "quote \" backslash \\ slash / nl \n cr \r tab \t bell \u0007 nul \u0000 ls \u2028 </script> & ü 😀";
        String json = Json.write(List.of(nasty));
        assertThat(json).doesNotContain("\n", "\u0000", "\u2028", "</script>");
        assertThat(Json.parse(json)).isEqualTo(List.of(nasty));
    }

    @Test
    void mapsKeepTheirOrderAndLeaveAbsentOptionalsOut() {
        var m = new LinkedHashMap<String, Object>();
        m.put("b", 1);
        m.put("a", Optional.empty());
        m.put("c", OptionalLong.of(7));
        m.put("d", OptionalDouble.empty());
        m.put("e", Optional.of("x"));
        m.put("f", null);
        assertThat(Json.write(m)).isEqualTo("{\"b\":1,\"c\":7,\"e\":\"x\",\"f\":null}");
    }

    @Test
    void numbersAndLiterals() {
        assertThat(Json.write(Arrays.asList(1L, 2.5, 3.0, Double.NaN, Double.POSITIVE_INFINITY, true, false, null, 1e20)))
                .isEqualTo("[1,2.5,3.0,null,null,true,false,null,1.0E20]");
        assertThat(Json.parse("[1,2.5,3.0,1.0E20,-4]")).isEqualTo(List.of(1L, 2.5, 3.0, 1e20, -4L));
        assertThat(Json.parse(" {\"a\" : [ ], \"b\":{}} ")).isEqualTo(Map.of("a", List.of(), "b", Map.of()));
    }

    @Test
    void unsupportedValuesAndBadInputFail() {
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).hasMessageContaining("offset");
        assertThatThrownBy(() -> Json.parse("[1] x")).hasMessageContaining("trailing");
    }
}
