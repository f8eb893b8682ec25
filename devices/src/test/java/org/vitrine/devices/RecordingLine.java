package org.vitrine.devices;

import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.spi.InterruptLine;

/** A test wire that remembers its level and every level it was driven to. */
final class RecordingLine implements InterruptLine {
    final List<Boolean> history = new ArrayList<>();
    boolean level;

    @Override
    public void set(boolean high) {
        level = high;
        history.add(high);
    }
}
