package org.vitrine.devices;

import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.spi.InterruptLine;

/** A test wire that remembers its level and every level it was driven to. */
public final class RecordingLine implements InterruptLine {
    public final List<Boolean> history = new ArrayList<>();
    public boolean level;

    @Override
    public void set(boolean high) {
        level = high;
        history.add(high);
    }
}
