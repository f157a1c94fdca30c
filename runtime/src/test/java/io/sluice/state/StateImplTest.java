package io.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class StateImplTest {

    @Test
    void missingStateHasNoValue() {
        var state = new StateImpl<Integer>();
        state.wrap(null, false);
        assertThat(state.exists()).isFalse();
        assertThat(state.getOption()).isEmpty();
        assertThatThrownBy(state::get).isInstanceOf(NoSuchElementException.class).hasMessage("State is not set");
    }

    @Test
    void updateReplacesTheValueAndMarksItUpdated() {
        var state = new StateImpl<Integer>();
        state.wrap(1, true);
        assertThat(state.isUpdated()).isFalse();
        state.update(2);
        assertThat(state.get()).isEqualTo(2);
        assertThat(state.isUpdated()).isTrue();
    }

    @Test
    void removedStateCannotBeUpdatedOrRemovedAgain() {
        var state = new StateImpl<Integer>();
        state.wrap(1, true);
        state.remove();
        assertThat(state.exists()).isFalse();
        assertThat(state.isRemoved()).isTrue();
        assertThatThrownBy(() -> state.update(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requirement failed: Cannot update the state after it has been removed");
        assertThatThrownBy(state::remove).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requirement failed: Cannot remove the state that has already been removed");
        assertThatThrownBy(state::get).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void timingOutStateIsReadOnly() {
        var state = new StateImpl<Integer>();
        state.wrapTimingOut(5);
        assertThat(state.isTimingOut()).isTrue();
        assertThat(state.get()).isEqualTo(5);
        assertThatThrownBy(() -> state.update(6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requirement failed: Cannot update the state that is timing out");
        assertThatThrownBy(state::remove).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requirement failed: Cannot remove the state that is timing out");
    }

    @Test
    void wrappingTheNextKeyResetsTheFlags() {
        var state = new StateImpl<Integer>();
        state.wrapTimingOut(5);
        state.wrap(null, false);
        assertThat(state.isTimingOut()).isFalse();
        state.remove();
        state.wrap(7, true);
        assertThat(state.isRemoved()).isFalse();
        state.update(8);
        assertThat(state.get()).isEqualTo(8);
    }
}
