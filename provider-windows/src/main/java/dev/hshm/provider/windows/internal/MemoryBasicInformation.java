package dev.hshm.provider.windows.internal;

/**
 * The fields of {@code MEMORY_BASIC_INFORMATION} this module reads, as {@code VirtualQuery} filled them.
 *
 * <pre>
 * MEMORY_BASIC_INFORMATION on 64-bit Windows (48 bytes):
 *   0 BaseAddress        PVOID      8 AllocationBase  PVOID
 *  16 AllocationProtect  DWORD     20 PartitionId     WORD  (+2 padding)
 *  24 RegionSize         SIZE_T
 *  32 State              DWORD     36 Protect         DWORD
 *  40 Type               DWORD     44 (padding)
 * </pre>
 *
 * @param baseAddress the page-aligned start of the region
 * @param allocationBase the start of the allocation (the view) that holds it
 * @param regionSize bytes from {@code baseAddress} with the same attributes
 * @param state {@code MEM_COMMIT}, {@code MEM_RESERVE} or {@code MEM_FREE}
 * @param protect the pages' protection, e.g. {@link WinApi#PAGE_READWRITE}
 * @param type {@link WinApi#MEM_MAPPED}, {@link WinApi#MEM_PRIVATE} or {@code MEM_IMAGE}
 * @param error 0, or the last error when {@code VirtualQuery} failed (then all other fields are 0)
 */
public record MemoryBasicInformation(long baseAddress, long allocationBase, long regionSize, int state,
                                     int protect, int type, int error) {

    /** Bytes of the C structure on 64-bit Windows. */
    public static final long BYTES = 48;
    /** Offset of {@code BaseAddress}. */
    public static final long BASE_ADDRESS_OFFSET = 0;
    /** Offset of {@code AllocationBase}. */
    public static final long ALLOCATION_BASE_OFFSET = 8;
    /** Offset of {@code RegionSize}. */
    public static final long REGION_SIZE_OFFSET = 24;
    /** Offset of {@code State}. */
    public static final long STATE_OFFSET = 32;
    /** Offset of {@code Protect}. */
    public static final long PROTECT_OFFSET = 36;
    /** Offset of {@code Type}. */
    public static final long TYPE_OFFSET = 40;

    /** {@code MEM_COMMIT} as a {@link #state()}. */
    public static final int MEM_COMMIT = WinApi.MEM_COMMIT;

    /**
     * Tells whether {@code VirtualQuery} failed. A successful query always describes at least one page, so
     * an empty region means failure whatever the captured error says.
     *
     * @return {@code true} if no region was described
     */
    public boolean failed() {
        return regionSize == 0;
    }

    /**
     * A failed query.
     *
     * @param error the last error
     * @return the result
     */
    public static MemoryBasicInformation failure(int error) {
        return new MemoryBasicInformation(0, 0, 0, 0, 0, 0, error);
    }
}
