package dev.neurodex.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ModelInfoTest {
    @Test
    void flopsPerTokenCountsLinearLayersAndAttention() {
        ModelInfo miniLm = new ModelInfo("m", "bert", 6, 384, 1536, 512, false, 0, "", "");
        // per position and layer: 2 (4·384² + 2·384·1536) + 4·128·384, less the last block's MLP output
        // projection (2·384·1536, never run); over 126 content tokens of 128 positions
        double perPosition = 6 * (2.0 * (4 * 384 * 384 + 2 * 384 * 1536) + 4.0 * 128 * 384) - 2.0 * 384 * 1536;
        assertEquals(perPosition * 128 / 126, miniLm.flopsPerToken(128, 126), 1e-6);
        ModelInfo causal = new ModelInfo("g", "gpt2", 12, 768, 3072, 1024, true, 0, "", "");
        double seen = (1024 + 1) / 2.0;
        assertEquals((12 * (2.0 * (4 * 768 * 768 + 2 * 768 * 3072) + 4 * seen * 768) - 2.0 * 768 * 3072) * 1024 / 1023,
                causal.flopsPerToken(1024, 1023), 1e-3);
        assertEquals(128, miniLm.defaultContext());
        assertEquals(1024, causal.defaultContext());
    }
}
