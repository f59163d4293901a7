using SleepingLlm.Conversation;

namespace SleepingLlm.Tests.Conversation;

/// <summary>
/// Extraction beyond the nouns the patterns list: any "my N is O", relatives and pets named inside a
/// clause, several facts in one clause, corrections however phrased, and the relation each becomes.
/// </summary>
public sealed class OpenPatternTests
{
    static string[] Triples(string message) => [.. FactExtractor.Extract(message).Select(f => $"{f.Relation}={f.Object}")];

    [Theory]
    // Nouns no pattern lists: the noun is the relation.
    [InlineData("My manager is Hadrian Okonkwo.", "manager=Hadrian Okonkwo")]
    [InlineData("My landlord's name is Benedikt Auer.", "landlord=Benedikt Auer")]
    [InlineData("My therapist is called Mona.", "therapist=Mona")]
    [InlineData("My dentist is Dr. Ruiz.", "dentist=Dr Ruiz")]
    [InlineData("Don't forget: my anniversary is on June 14th.", "anniversary=June 14th")]
    [InlineData("My wedding anniversary is in October.", "wedding anniversary=October")]
    [InlineData("My shoe size is 44.", "shoe size=44")]
    [InlineData("My blood group is A positive.", "blood group=A positive")]
    [InlineData("My star sign is Leo.", "star sign=Leo")]
    [InlineData("My hobby is birdwatching.", "hobby=birdwatching")]
    [InlineData("My usual drink is an espresso with oat milk.", "drink=espresso")]
    [InlineData("My gym is on Baker Street.", "gym's location=Baker Street")]
    [InlineData("My office is in Canary Wharf.", "office's location=Canary Wharf")]
    // Nouns that name a relation the memory knows.
    [InlineData("My employer is Statkraft.", "employer=Statkraft")]
    [InlineData("My mother tongue is Tamil.", "language=Tamil")]
    [InlineData("My home is in Gdansk.", "home=Gdansk")]
    [InlineData("My degree is in geology.", "studied=geology")]
    // The misses of issue #20.
    [InlineData("I'm fluent in Basque.", "language=Basque")]
    [InlineData("I speak Finnish fluently.", "language=Finnish")]
    [InlineData("My favourite colour is green.", "favorite color=green")]
    [InlineData("My favorite food is bibimbap.", "favorite food=bibimbap")]
    [InlineData("My favourite film of all time is Heat.", "favorite movie=Heat")]
    [InlineData("My all-time favourite movie is Alien.", "favorite movie=Alien")]
    [InlineData("I do yoga every morning.", "sport=yoga")]
    [InlineData("I go climbing on weekends.", "sport=climbing")]
    [InlineData("I've been doing karate since I was six.", "sport=karate")]
    [InlineData("I'm employed by Vestas.", "employer=Vestas")]
    [InlineData("I've worked at Siemens for ten years.", "employer=Siemens")]
    [InlineData("I'm 52 years old.", "age=52")]
    [InlineData("I turned 40 last month.", "age=40")]
    [InlineData("I'm Dutch.", "nationality=Dutch")]
    [InlineData("We live in Malmo.", "home=Malmo")]
    [InlineData("I'm married to Ines.", "spouse=Ines")]
    // Turned round, or introduced.
    [InlineData("Purple is my favourite colour.", "favorite color=Purple")]
    [InlineData("My favourite colour has always been purple.", "favorite color=purple")]
    [InlineData("Ingeborg is my godmother.", "godmother=Ingeborg")]
    [InlineData("I have a tortoise named Gustav.", "tortoise=Gustav")]
    [InlineData("We have a dog called Rufus.", "dog=Rufus")]
    [InlineData("I have two kids, Ada and Theo.", "kids=Ada and Theo")]
    public void A_noun_of_the_users_becomes_the_relation(string message, string triple) => Assert.Equal([triple], Triples(message));

    [Theory]
    [InlineData("My brother Rurik lives in Bergen.", "brother=Rurik", "brother's home=Bergen")]
    [InlineData("My older brother Tomas works at Volvo.", "brother=Tomas", "brother's employer=Volvo")]
    [InlineData("My sister Ana, a nurse, lives in Porto.", "sister=Ana", "sister's job=nurse", "sister's home=Porto")]
    [InlineData("My best friend from school, Priyanka, is a lawyer.", "best friend=Priyanka", "best friend's job=lawyer")]
    [InlineData("My uncle Boris is 70 years old.", "uncle=Boris", "uncle's age=70")]
    [InlineData("My mother-in-law is from Seville.", "mother-in-law's hometown=Seville")]
    [InlineData("My little sister is studying medicine in Prague.", "sister's studied=medicine", "sister's alma mater=Prague")]
    [InlineData("My father was a fisherman.", "father's job=fisherman")]
    [InlineData("My husband drives a Tesla.", "husband's car=Tesla")]
    [InlineData("My daughter is 7 years old.", "daughter's age=7")]
    [InlineData("I have a cat named Luna and a dog named Max.", "cat=Luna", "dog=Max")]
    public void Someone_named_inside_a_clause_gives_their_name_and_what_is_said_of_them(string message, params string[] triples) =>
        Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("I studied astronomy in Leipzig.", "studied=astronomy", "alma mater=Leipzig")]
    [InlineData("I majored in linguistics at McGill.", "studied=linguistics", "alma mater=McGill")]
    [InlineData("I'm a software developer at Spotify.", "job=software developer", "employer=Spotify")]
    [InlineData("I work at Ikea as a designer.", "job=designer", "employer=Ikea")]
    [InlineData("I'm a 41-year-old electrician from Galway.", "hometown=Galway", "age=41", "job=electrician")]
    [InlineData("I'm 29 and originally from Cork.", "age=29", "hometown=Cork")]
    [InlineData("I live in Oslo and work at Equinor.", "home=Oslo", "employer=Equinor")]
    [InlineData("I live with my girlfriend Mia in Ghent.", "home=Ghent", "girlfriend=Mia")]
    [InlineData("I was born and raised in Cork.", "hometown=Cork", "birthplace=Cork")]
    [InlineData("My partner's name is Sam and we live in Leeds.", "partner=Sam", "home=Leeds")]
    public void One_clause_can_state_several_facts(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("My dog is called Marble.", "Correction: my dog's name is actually Pretzel, not Marble.", "dog", "Pretzel")]
    [InlineData("My cat is Pepper.", "Sorry, I meant my cat is called Pixel, not Pepper.", "cat", "Pixel")]
    [InlineData("My manager is Kwame Mensah.", "No, my manager is Kofi, not Kwame.", "manager", "Kofi")]
    [InlineData("My manager is Lars Berg.", "Actually, my manager is Ingrid Solberg now.", "manager", "Ingrid Solberg")]
    [InlineData("My boss lives in Oslo.", "My boss lives in Stavanger, not Oslo.", "boss's home", "Stavanger")]
    [InlineData("I live in Bergen.", "I moved to Trondheim.", "home", "Trondheim")]
    [InlineData("I live in Bergen.", "Scratch that, I live in Turku now.", "home", "Turku")]
    [InlineData("My usual coffee order is a cortado.", "My coffee order is a flat white these days, not a cortado.", "coffee order", "flat white")]
    [InlineData("My sister is called Eline.", "Oops, my mistake: my sister's name is Elin.", "sister", "Elin")]
    public void A_correction_however_phrased_is_marked_and_hits_the_same_relation(string said, string corrected, string relation, string obj)
    {
        var before = Assert.Single(FactExtractor.Extract(said));
        var after = Assert.Single(FactExtractor.Extract(corrected));
        Assert.Equal((UserEntity.Subject, relation), (before.Subject, before.Relation));
        Assert.Equal((UserEntity.Subject, relation, obj), (after.Subject, after.Relation, after.Object));
        Assert.False(before.Correction);
        Assert.True(after.Correction);
    }

    [Theory]
    [InlineData("My day was long.")]
    [InlineData("My phone is dead.")]
    [InlineData("My phone is almost out of battery.")]
    [InlineData("My point is that it works.")]
    [InlineData("My head is killing me.")]
    [InlineData("My room is a mess.")]
    [InlineData("My dog is a labrador.")]
    [InlineData("My car is in the garage.")]
    [InlineData("My cat is sleeping on my keyboard.")]
    [InlineData("My flight is at 6am tomorrow.")]
    [InlineData("My exam is tomorrow.")]
    [InlineData("It's my birthday today!")]
    [InlineData("My landlord is called Ignaz and he never fixes anything.", "landlord=Ignaz")]
    [InlineData("I think my manager is Tom.")]
    [InlineData("Maybe my brother lives in Bergen.")]
    [InlineData("Is my anniversary on June 14th?")]
    [InlineData("My wife, not me, is the cook.")]
    [InlineData("I'm 5 minutes away.")]
    [InlineData("I'm a mother of two.")]
    [InlineData("I'm a native Spanish speaker.", "language=Spanish")]
    [InlineData("My favourite dish is my mum's curry.", "favorite food=mum's curry")]
    [InlineData("My sister is Korean.", "sister's nationality=Korean")]
    public void States_hedges_and_remarks_give_no_fact_or_only_the_one_stated(string message, params string[] triples) =>
        Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("manager", "{0}'s manager is named", "Who is my manager?")]
    [InlineData("landlord", "{0}'s landlord is named", "What is my landlord's name?")]
    [InlineData("anniversary", "{0}'s anniversary is on", "When is my anniversary?")]
    [InlineData("blood type", "{0}'s blood type is", "What is my blood type?")]
    [InlineData("brother's home", "{0}'s brother lives in the city of", "Where does my brother live?")]
    [InlineData("office's location", "{0}'s office is in", "Where is my office?")]
    [InlineData("nephews", "{0}'s nephews are named", "Who are my nephews?")]
    [InlineData("age", "{0}'s age is", "How old am I?")]
    [InlineData("alma mater", "{0} studied at", "Where did I study?")]
    [InlineData("nationality", "{0}'s nationality is", "What is my nationality?")]
    public void Every_relation_has_its_statement_and_three_first_person_questions(string name, string statement, string asked)
    {
        var relation = UserRelations.Find(name);
        Assert.NotNull(relation);
        Assert.Equal(statement, relation.Statement);
        Assert.Contains(asked, relation.Asked.Select(q => q.Text));
        Assert.Equal(3, relation.Asked.Select(q => q.Text).Distinct().Count());
        Assert.All(relation.Asked, q => Assert.Matches(@"\b(?:my|I|am)\b.*\?$", q.Text));
        Assert.DoesNotContain("{", relation.QuestionFor(UserEntity.Subject));
    }

    [Theory]
    [InlineData("older brother", "brother")]
    [InlineData("usual coffee order", "coffee order")]
    [InlineData("Landlord's name", "landlord")]
    [InlineData("favourite film", "favorite movie")]
    [InlineData("mum's home", "mother's home")]
    [InlineData("profession", "job")]
    public void Relation_names_are_canonical(string said, string canonical) => Assert.Equal(canonical, UserRelations.Canonical(said));

    [Fact]
    public void A_noun_made_into_a_relation_is_not_used_for_a_typed_triple()
    {
        Assert.True(UserRelations.Find("blood type")!.IsGeneric);
        Assert.False(UserRelations.Find("sister's job")!.IsGeneric);
        var typed = SleepingLlm.Conversation.UserProfile.FromTriple("Rafferty Dunmore", "blood type", "O negative", null);
        Assert.Equal("Rafferty Dunmore blood type", typed.Prompt);
    }
}
