/* An empty ICU data library (Linux bundles only).
 *
 * PySide6's Linux wheels link QtCore against their own ICU, whose data library
 * (libicudata.so.NN) is 31 MB. This program never needs ICU data: Qt's text layout,
 * case mapping and normalisation use tables built into Qt or into libicuuc; only
 * QCollator (locale-aware sorting) and legacy text codecs would, and both fail soft
 * (plain code-point order). This is ICU's own "stubdata" with no entries, exporting
 * the entry point icudtNN_dat. build/bundle.py compiles it with -DICU_ENTRY=icudtNN_dat.
 */
#include <stdint.h>

#ifndef ICU_ENTRY
#error "define ICU_ENTRY, e.g. -DICU_ENTRY=icudt73_dat"
#endif

typedef struct {
    uint16_t headerSize;
    uint8_t magic1, magic2;
} MappedData;

typedef struct {
    uint16_t size;
    uint16_t reservedWord;
    uint8_t isBigEndian, charsetFamily, sizeofUChar, reservedByte;
    uint8_t dataFormat[4], formatVersion[4], dataVersion[4];
} UDataInfo;

typedef struct {
    MappedData dataHeader;
    UDataInfo info;
    char padding[8];
    uint32_t count, reserved;
    int fakeNameAndData[4];
} ICU_Data_Header;

__attribute__((visibility("default"), aligned(16)))
const ICU_Data_Header ICU_ENTRY = {
    {32, 0xda, 0x27},
    {sizeof(UDataInfo), 0, 0 /* little endian */, 0 /* ASCII */, 2, 0,
     {0x54, 0x6f, 0x43, 0x50} /* "ToCP" */, {1, 0, 0, 0}, {0, 0, 0, 0}},
    {0, 0, 0, 0, 0, 0, 0, 0},
    0,
    0,
    {0, 0, 0, 0},
};
