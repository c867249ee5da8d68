def test_passages_gather_paragraphs_and_list_items_to_about_forty_words():
    from indexer.bundle.documents import PASSAGE_WORDS, SearchDocument

    sentence = "Give the child a calm place to sit near the door when the hall is loud."  # 16 words
    practical = "\n\n".join([sentence] * 3) + "\n\n" + "\n".join(f"- **Step {n}**: {sentence}" for n in range(4))
    document = SearchDocument("PRA-0001", "t", "s", "", practical, "", "")
    passages = document.passages()
    assert all("**" not in p and not p.startswith("-") for p in passages)  # plain words
    assert all(len(p.split()) >= PASSAGE_WORDS for p in passages[:-1])
    words = " ".join(passages).replace(" :", ":").split()
    assert words == " ".join([sentence] * 3 + [f"Step {n}: {sentence}" for n in range(4)]).split()  # all, in order
    assert SearchDocument("X", "t", "s", "", "", "", "").passages() == ()
